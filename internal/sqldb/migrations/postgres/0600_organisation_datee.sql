-- The organisation is dated (décret n° 2025-599: since 1 October 2025 the service du
-- contrôle médical sits inside each CPAM): each body has the dates it exists between,
-- YYYY-MM-DD text, '' when open. Additive: existing rows stay open on both sides.
ALTER TABLE organisme ADD COLUMN debut TEXT NOT NULL DEFAULT '';
ALTER TABLE organisme ADD COLUMN fin TEXT NOT NULL DEFAULT '';
