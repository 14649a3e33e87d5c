"""Encryption of members' personal data: key providers, envelope encryption, key cache.

The providers, ``envelope``, ``keycache`` and ``registry`` are plain Python (no Django import);
the Django layer is ``fields`` (encrypted model fields), ``keyring`` (data keys of the current
schema, key lifecycle), ``rotation`` and ``tasks`` (the key jobs). See docs/security.md for the
key layout and threat model.
"""
