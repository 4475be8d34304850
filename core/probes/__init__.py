"""What looks inside a model: activations, saliency, gates, gradients, receptive fields."""
