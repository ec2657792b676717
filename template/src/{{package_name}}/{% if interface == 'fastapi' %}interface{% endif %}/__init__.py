"""How clients reach the service: adapters over the application layer."""
