"""Operations: timestamp health checks, repair, report and metrics, and the command line."""
