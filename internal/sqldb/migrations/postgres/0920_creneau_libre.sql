-- 0920: a slot knows whether it is booked, so the search for free slots reads
-- one partial index range instead of probing convocation slot by slot.
--
-- creneau.reserve mirrors "an active convocation holds this slot"; triggers on
-- convocation keep it in the same transaction as every booking, rescheduling and
-- cancellation, whatever code path writes them. convocation_creneau_actif (the
-- partial unique index) stays the guarantee against double booking; reserve is
-- only what the search reads. creneau_libre indexes the free slots alone, in the
-- order the search returns them (site, then start).
ALTER TABLE creneau ADD COLUMN reserve INTEGER NOT NULL DEFAULT 0;
UPDATE creneau SET reserve = 1 WHERE id IN (SELECT creneau_id FROM convocation WHERE actif = 1);
CREATE INDEX creneau_libre ON creneau(site, debut, id) WHERE reserve = 0;

CREATE FUNCTION convocation_reserve() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE creneau SET reserve = CASE WHEN EXISTS (SELECT 1 FROM convocation v WHERE v.creneau_id = OLD.creneau_id AND v.actif = 1) THEN 1 ELSE 0 END
         WHERE id = OLD.creneau_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE creneau SET reserve = CASE WHEN EXISTS (SELECT 1 FROM convocation v WHERE v.creneau_id = NEW.creneau_id AND v.actif = 1) THEN 1 ELSE 0 END
         WHERE id = NEW.creneau_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER convocation_reserve AFTER INSERT OR DELETE OR UPDATE OF actif, creneau_id ON convocation
    FOR EACH ROW EXECUTE FUNCTION convocation_reserve();
