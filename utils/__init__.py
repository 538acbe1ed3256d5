"""The course's Python package: reference cells, gradient checks, exercise checks,
widgets, plots and data. ``from utils import check`` gives the exercise checks."""
