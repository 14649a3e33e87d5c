"""What the key machinery tells the platform (see ``core.extensions``): wrapped data keys and
key jobs never leave in an export."""

from core.extensions import AppDeclaration, ExportRules

declaration = AppDeclaration(export=ExportRules(skip_app=True))
