"""Long work outside the web request: a job table that the worker process (``remiss.jobs``) and
``flask run-jobs`` share, with progress the person who started it can watch and come back to."""
