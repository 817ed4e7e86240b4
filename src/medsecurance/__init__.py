"""MedSecurance."""
