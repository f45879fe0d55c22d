"""What kdesk adds to the HTTP servers it runs under (daphne, gunicorn): refusals decided from
the request line and headers alone, before a body is read (kdesk/serving/guard.py)."""
