"""The generator: peer map in, one bird.conf per node out."""
