"""Serving the app from several processes behind nginx (deploy/serve.py, deploy/nginx.conf.template)."""
