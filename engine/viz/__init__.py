"""Figures: interactive plotly ones for the app and the report, static PNGs for exports."""
