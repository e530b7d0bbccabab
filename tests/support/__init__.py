"""What the tests share: their own Redis and PostgreSQL servers, process harnesses,
bounded waits, the fake engine, publisher pages and small helpers. Test modules import
from here, never from one another; conftest files keep fixtures only."""
