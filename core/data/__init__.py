"""Data the app feeds to models: image decoding, samples, bundled and generated datasets."""
