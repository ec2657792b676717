"""Who the suite acts as: its writes are made for someone, as ``require_actor`` asks."""

SUITE_ACTOR = "test-suite"
