"""Formats shared by several services, sans-IO (issue 16: each format exists once)."""
