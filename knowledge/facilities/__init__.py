"""The facility directory: an open CSV format, the folder it is kept in, and queries by place and distance."""
