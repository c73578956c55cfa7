"""The HTTP face (FastAPI; ``pip install 'voxcap[server]'``)."""
