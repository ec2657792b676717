"""The relay: the outbox's events delivered to a publisher, at least once, in order per aggregate.

- :mod:`.messages`: what a publisher receives, one :class:`~.messages.OutboxMessage` per event;
- :mod:`.publishers`: stdout, a file, a webhook or an entry point (``EVENTS_PUBLISHER``);
- :mod:`.relay`: :class:`~.relay.Relay`, which delivers, retries, parks and prunes.
"""
