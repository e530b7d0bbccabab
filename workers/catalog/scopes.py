"""What an API key may do. Kept apart from the models so that the command line offers
the scopes without loading SQLAlchemy."""

SCOPES = ("read", "write", "admin")  # each includes the ones before it
