"""The neural toolkit shared by every puzzle: layers, one training loop, checkpoints."""
