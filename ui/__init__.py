"""The streamlit side: cached loaders and shared widgets. Pages import this and `core`; `core` never imports it."""
