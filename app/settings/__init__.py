"""Fund settings that an administrator may change, with defaults from the configuration."""
