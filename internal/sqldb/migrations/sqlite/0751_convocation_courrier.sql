-- The letter of a convocation (internal/courrier, stored by AddCourrier in the
-- convocation's transaction): the link the convocation answers with.
ALTER TABLE convocation ADD COLUMN courrier_id INTEGER;
