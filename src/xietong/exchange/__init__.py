"""The data-sharing layer: principals, tokens and scopes, ownership, revisions and the audit chain."""
