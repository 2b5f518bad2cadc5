"""pcc-router's controller: the aiohttp service, Stringee tokens and CareSoft voice links.

The service drives the same :mod:`routing` engine as the simulator, on the
wall clock. This package owns I/O: HTTP, tokens, persistence and timers.
"""
