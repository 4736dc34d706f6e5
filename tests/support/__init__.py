"""Test infrastructure: a throwaway PostgreSQL cluster, the app server, the browser."""
