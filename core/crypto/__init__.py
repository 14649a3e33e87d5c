"""Encryption of members' personal data: key providers, envelope encryption, key cache.

Plain Python, no Django import: the Django model fields are layered on top in
``core.crypto.fields``. Start with ``core.crypto.registry.get_provider()`` and
``get_key_cache()``; see docs/security.md for the key layout and threat model.
"""
