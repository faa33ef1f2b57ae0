"""Batch runs, planned before anything is sent (Qt-free): prompt variables, sheets of requests,
seed policies and repeats, totals, and the tags that tie each result to its batch and row."""
