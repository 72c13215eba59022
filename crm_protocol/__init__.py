"""Wire protocol and record schema shared by the desktop client and the backend."""
