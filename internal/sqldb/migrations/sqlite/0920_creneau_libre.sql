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

CREATE TRIGGER convocation_reserve_insert AFTER INSERT ON convocation WHEN NEW.actif = 1
BEGIN
    UPDATE creneau SET reserve = 1 WHERE id = NEW.creneau_id;
END;

CREATE TRIGGER convocation_reserve_update AFTER UPDATE OF actif, creneau_id ON convocation
BEGIN
    UPDATE creneau SET reserve = EXISTS (SELECT 1 FROM convocation v WHERE v.creneau_id = creneau.id AND v.actif = 1)
     WHERE id IN (OLD.creneau_id, NEW.creneau_id);
END;

CREATE TRIGGER convocation_reserve_delete AFTER DELETE ON convocation WHEN OLD.actif = 1
BEGIN
    UPDATE creneau SET reserve = 0 WHERE id = OLD.creneau_id;
END;
