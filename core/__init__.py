"""What every app of sscard uses and none owns: domain errors and their JSON body,
form helpers, the client's address, CSV writing.

A plain package, not an app: it has no models, templates or settings of its own, and
imports no app (the arrows point kinds -> casework -> accounts -> core).
"""
