# Real-service fixtures (celery_worker_process, celery_beat_process): see tests/celery_worker.py.
pytest_plugins = ["tests.celery_worker", "tests.personas"]
