"""The computing half of the CNN & RNN Explorer: models, data, probes and figures.

Nothing in this package imports streamlit, so every function here can be used from a notebook,
a test or a benchmark exactly as the app uses it.
"""
