"""Deployment files: nginx.conf, gunicorn.conf.py and serve.py (`make serve`), imported by bench/."""
