package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"medconseil"
)

// Filing is a Claim (use = preauthorization) read into medconseil's own JSON input
// (the fields of docs/dossiers/*.example.json), which the intake then checks and
// files exactly as a POST /api/v1/dossiers: same parsing, same validation, same
// transaction, same journal.
type Filing struct {
	Type   medconseil.TypeDossier
	Fields map[string]json.RawMessage
	// Paths gives, for each of our field names, the FHIRPath of the element it came
	// from, so that an error of the intake names the element of the Claim.
	Paths map[string]string
	// Identifier is Claim.identifier[0] as "system|value", "" without one.
	Identifier string
}

// Path returns the FHIRPath of our field name (or of a nested one, "faits.x"),
// "Claim" when the field did not come from one element.
func (f *Filing) Path(field string) string {
	if p, ok := f.Paths[field]; ok {
		return p
	}
	if i := strings.IndexByte(field, '.'); i > 0 {
		if p, ok := f.Paths[field[:i]]; ok {
			return p
		}
	}
	return "Claim"
}

// claimElements are the elements of a Claim read at intake; any other is refused
// rather than silently dropped.
var claimElements = map[string]bool{"resourceType": true, "id": true, "meta": true, "text": true, "identifier": true, "status": true,
	"type": true, "subType": true, "use": true, "patient": true, "created": true, "provider": true, "insurer": true, "priority": true,
	"insurance": true, "diagnosis": true, "supportingInfo": true, "item": true, "contained": true}

var claimTypes = map[string]bool{"institutional": true, "oral": true, "pharmacy": true, "professional": true, "vision": true}

// parser walks a decoded JSON resource collecting errors with their FHIRPath.
type parser struct{ errs []error }

func (p *parser) fail(path, format string, args ...any) {
	p.errs = append(p.errs, ErrorAt(path, format, args...))
}

func obj(v any) (map[string]any, bool) { m, ok := v.(map[string]any); return m, ok }
func arr(v any) ([]any, bool)          { a, ok := v.([]any); return a, ok }

// str reads a required string element.
func (p *parser) str(m map[string]any, key, path string) (string, bool) {
	v, ok := m[key]
	if !ok {
		p.fail(path, "élément obligatoire absent")
		return "", false
	}
	s, ok := v.(string)
	if !ok || strings.TrimSpace(s) == "" {
		p.fail(path, "texte non vide attendu")
		return "", false
	}
	return s, true
}

// codingOf finds, in the CodeableConcept at path, the coding of system; it reports
// a missing concept or one coded in another system.
func (p *parser) codingOf(v any, system, path, what string) (string, string, bool) {
	cc, ok := obj(v)
	if !ok {
		p.fail(path, "%s manquant : un CodeableConcept du système %s est attendu", what, system)
		return "", "", false
	}
	cs, _ := arr(cc["coding"])
	if len(cs) == 0 {
		p.fail(path+".coding", "%s sans codage : un code du système %s est attendu", what, system)
		return "", "", false
	}
	var seen []string
	for i, c := range cs {
		m, _ := obj(c)
		sys, _ := m["system"].(string)
		if sys == system {
			code, _ := m["code"].(string)
			if code == "" {
				p.fail(fmt.Sprintf("%s.coding[%d].code", path, i), "code manquant")
				return "", "", false
			}
			return code, fmt.Sprintf("%s.coding[%d].code", path, i), true
		}
		seen = append(seen, sys)
	}
	p.fail(path+".coding[0].system", "système de codage %q inattendu pour %s : %s est attendu", strings.Join(seen, ", "), what, system)
	return "", "", false
}

// ParseClaim reads a Claim for prior agreement. Every problem is reported at once,
// each with the FHIRPath of its element; the result is the request in our JSON
// input form, not yet validated by the intake.
func ParseClaim(body []byte) (*Filing, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return nil, ErrorAt("Claim", "JSON illisible : %v", err)
	}
	if dec.More() {
		return nil, ErrorAt("Claim", "une seule ressource JSON est attendue dans le corps")
	}
	c, ok := obj(root)
	if !ok {
		return nil, ErrorAt("Claim", "un objet JSON (ressource Claim) est attendu")
	}
	if rt, _ := c["resourceType"].(string); rt != "Claim" {
		return nil, ErrorAt("Claim.resourceType", "ressource %q inattendue : une ressource Claim est attendue ici", rt)
	}
	p := &parser{}
	f := &Filing{Fields: map[string]json.RawMessage{}, Paths: map[string]string{}}
	set := func(field, path string, v any) {
		b, _ := json.Marshal(v)
		f.Fields[field], f.Paths[field] = b, path
	}
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !claimElements[k] {
			p.fail("Claim."+k, "élément non pris en charge par ce serveur (voir GET /fhir/metadata et docs/fhir.md)")
		}
	}
	if m, ok := c["meta"]; ok {
		mm, _ := obj(m)
		for k, v := range mm {
			switch k {
			case "profile":
				ps, _ := arr(v)
				for i, pr := range ps {
					p.fail(fmt.Sprintf("Claim.meta.profile[%d]", i), "profil %v non pris en charge : ce serveur ne publie aucun profil de Claim, retirer meta.profile", pr)
				}
			case "lastUpdated", "versionId", "source", "tag", "security":
			default:
				p.fail("Claim.meta."+k, "élément de meta non pris en charge")
			}
		}
	}
	if ids, ok := arr(c["identifier"]); ok && len(ids) > 0 {
		id, _ := obj(ids[0])
		sys, _ := id["system"].(string)
		val, _ := id["value"].(string)
		if sys == "" || val == "" {
			p.fail("Claim.identifier[0]", "identifiant incomplet : system et value sont attendus")
		}
		f.Identifier = sys + "|" + val
	}
	if s, ok := p.str(c, "status", "Claim.status"); ok && s != "active" {
		p.fail("Claim.status", "statut %q refusé : une demande déposée a le statut « active »", s)
	}
	if u, ok := p.str(c, "use", "Claim.use"); ok && u != "preauthorization" {
		p.fail("Claim.use", "usage %q refusé : une demande d'accord préalable a use = « preauthorization »", u)
	}
	if code, path, ok := p.codingOf(c["type"], SystemClaimType, "Claim.type", "type de Claim"); ok && !claimTypes[code] {
		p.fail(path, "type %q inconnu du système %s", code, SystemClaimType)
	}
	if _, ok := p.str(c, "created", "Claim.created"); ok {
		s := c["created"].(string)
		if len(s) < 10 {
			p.fail("Claim.created", "date de création %q illisible : AAAA-MM-JJ[Thh:mm:ss+zz:zz] attendu", s)
		} else if _, err := medconseil.ParseDate(s[:10]); err != nil {
			p.fail("Claim.created", "date de création %q illisible : AAAA-MM-JJ[Thh:mm:ss+zz:zz] attendu", s)
		}
	}
	var schema *medconseil.Schema
	if code, path, ok := p.codingOf(c["subType"], SystemTypeDossier, "Claim.subType", "type de demande"); ok {
		t := medconseil.TypeDossier(code)
		if !IsPreAuth(t) {
			p.fail(path, "type de demande %q non déposable en Claim : transport, kine ou lpp", code)
		} else {
			f.Type = t
			schema, _ = medconseil.SchemaOf(t)
			set("type", path, code)
		}
	}
	p.patient(c, set)
	p.provider(c["provider"], set)
	if schema != nil {
		p.diagnoses(c, schema, set)
		p.supportingInfo(c, schema, set)
		if items, ok := arr(c["item"]); ok {
			for i, it := range items {
				m, _ := obj(it)
				path := fmt.Sprintf("Claim.item[%d].productOrService", i)
				if code, cpath, ok := p.codingOf(m["productOrService"], SystemTypeDossier, path, "objet de la demande"); ok && code != string(f.Type) {
					p.fail(cpath, "l'objet %q ne correspond pas au type de demande %q de Claim.subType", code, f.Type)
				}
			}
		}
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return f, nil
}

// patient reads the assuré: Claim.patient refers to a contained FR Core Patient
// carrying the NIR (INS system), the names, the birth date and the INSEE code of
// the commune of residence.
func (p *parser) patient(c map[string]any, set func(field, path string, v any)) {
	pr, ok := obj(c["patient"])
	if !ok {
		p.fail("Claim.patient", "patient manquant : une référence à un Patient contenu (« #id ») est attendue")
		return
	}
	target, _ := pr["reference"].(string)
	if !strings.HasPrefix(target, "#") {
		p.fail("Claim.patient.reference", "référence %q refusée : le Patient est transmis dans Claim.contained et référencé par « #id »", target)
		return
	}
	cont, _ := arr(c["contained"])
	idx := -1
	var pat map[string]any
	for i, r := range cont {
		m, _ := obj(r)
		if rt, _ := m["resourceType"].(string); rt == "Patient" && m["id"] == target[1:] {
			idx, pat = i, m
		}
	}
	if pat == nil {
		p.fail("Claim.patient.reference", "aucun Patient d'id %q dans Claim.contained", target[1:])
		return
	}
	base := fmt.Sprintf("Claim.contained[%d]", idx)
	for k := range pat {
		switch k {
		case "resourceType", "id", "meta", "identifier", "name", "birthDate", "address", "gender":
		default:
			p.fail(base+"."+k, "élément du Patient non pris en charge")
		}
	}
	if m, ok := obj(pat["meta"]); ok {
		ps, _ := arr(m["profile"])
		for i, pr := range ps {
			if pr != ProfilePatient {
				p.fail(fmt.Sprintf("%s.meta.profile[%d]", base, i), "profil %v refusé : %s est attendu", pr, ProfilePatient)
			}
		}
	}
	ids, _ := arr(pat["identifier"])
	nirPath := ""
	var seen []string
	for i, x := range ids {
		m, _ := obj(x)
		sys, _ := m["system"].(string)
		if sys == SystemINS {
			nirPath = fmt.Sprintf("%s.identifier[%d].value", base, i)
			v, _ := m["value"].(string)
			set("nir", nirPath, v)
			break
		}
		seen = append(seen, sys)
	}
	if nirPath == "" {
		if len(seen) > 0 {
			p.fail(base+".identifier[0].system", "système d'identifiant %q refusé : le NIR est attendu dans le système INS %s", strings.Join(seen, ", "), SystemINS)
		} else {
			p.fail(base+".identifier", "identifiant manquant : le NIR de l'assuré (système %s) est attendu", SystemINS)
		}
	}
	if ns, ok := arr(pat["name"]); ok && len(ns) > 0 {
		n, _ := obj(ns[0])
		if fam, ok := n["family"].(string); ok {
			set("nom", base+".name[0].family", fam)
		}
		if gs, ok := arr(n["given"]); ok && len(gs) > 0 {
			set("prenom", base+".name[0].given[0]", gs[0])
		}
	}
	if b, ok := pat["birthDate"]; ok {
		set("naissance", base+".birthDate", b)
	}
	addrs, _ := arr(pat["address"])
	for i, a := range addrs {
		m, _ := obj(a)
		exts, _ := arr(m["extension"])
		for j, e := range exts {
			em, _ := obj(e)
			if em["url"] != ExtInseeCode {
				continue
			}
			path := fmt.Sprintf("%s.address[%d].extension[%d].valueCoding.code", base, i, j)
			vc, _ := obj(em["valueCoding"])
			set("residence", path, vc["code"])
			return
		}
	}
	p.fail(base+".address", "commune de résidence manquante : Patient.address[0].extension %s (valueCoding.code = code INSEE) est attendue", ExtInseeCode)
}

// provider reads the prescriber's RPPS number: Claim.provider.identifier in the
// RPPS system (IDNPS "8" + RPPS, or the bare 11 digits).
func (p *parser) provider(v any, set func(field, path string, v any)) {
	pr, ok := obj(v)
	if !ok {
		p.fail("Claim.provider", "prescripteur manquant : Claim.provider.identifier (système %s) est attendu", SystemRPPS)
		return
	}
	id, ok := obj(pr["identifier"])
	if !ok {
		p.fail("Claim.provider.identifier", "identifiant du prescripteur manquant : numéro RPPS dans le système %s", SystemRPPS)
		return
	}
	if sys, _ := id["system"].(string); sys != SystemRPPS {
		p.fail("Claim.provider.identifier.system", "système d'identifiant %q refusé : le RPPS est attendu dans le système %s", sys, SystemRPPS)
		return
	}
	val, _ := id["value"].(string)
	set("prescripteur", "Claim.provider.identifier.value", rppsOf(val))
}

// diagnoses reads the CIM-10 codes: Claim.diagnosis[i].diagnosisCodeableConcept in
// the ICD-10 system; diagnosis[i].type names our field when the type has several.
func (p *parser) diagnoses(c map[string]any, s *medconseil.Schema, set func(field, path string, v any)) {
	ds, _ := arr(c["diagnosis"])
	for i, d := range ds {
		m, _ := obj(d)
		base := fmt.Sprintf("Claim.diagnosis[%d]", i)
		field := ""
		if ts, ok := arr(m["type"]); ok && len(ts) > 0 {
			if code, _, ok := p.codingOf(ts[0], SystemChamp, base+".type[0]", "champ du diagnostic"); ok {
				field = code
			}
		} else {
			for _, ch := range s.Champs {
				if ch.Kind == medconseil.KindCIM10 {
					field = ch.Nom
					break
				}
			}
		}
		if ch, ok := s.Champ(field); field != "" && (!ok || ch.Kind != medconseil.KindCIM10) {
			p.fail(base+".type[0]", "champ %q : pas un code CIM-10 d'une demande %s", field, s.Type)
			continue
		}
		if field == "" {
			continue
		}
		code, path, ok := p.codingOf(m["diagnosisCodeableConcept"], SystemICD10, base+".diagnosisCodeableConcept", "diagnostic")
		if ok {
			set(field, path, code)
		}
	}
}

// supportingInfo reads every other field of the request: category coded in our
// champ-demande system (the field's name), value by kind — timingDate for dates,
// valueBoolean, valueQuantity.value for numbers and amounts, valueString otherwise.
func (p *parser) supportingInfo(c map[string]any, s *medconseil.Schema, set func(field, path string, v any)) {
	si, _ := arr(c["supportingInfo"])
	for i, x := range si {
		m, _ := obj(x)
		base := fmt.Sprintf("Claim.supportingInfo[%d]", i)
		name, _, ok := p.codingOf(m["category"], SystemChamp, base+".category", "catégorie")
		if !ok {
			continue
		}
		ch, ok := s.Champ(name)
		if !ok || ch.Kind == medconseil.KindCIM10 {
			hint := ""
			if ok {
				hint = " (un code CIM-10 va dans Claim.diagnosis)"
			}
			p.fail(base+".category", "champ %q non pris en charge pour une demande %s%s", name, s.Type, hint)
			continue
		}
		var key string
		switch ch.Kind {
		case medconseil.KindDate:
			key = "timingDate"
		case medconseil.KindBool:
			key = "valueBoolean"
		case medconseil.KindEntier, medconseil.KindDossier, medconseil.KindMontant:
			key = "valueQuantity"
		default:
			key = "valueString"
		}
		v, ok := m[key]
		if !ok {
			p.fail(base+"."+key, "valeur manquante : le champ %q (%s) se transmet dans %s", name, ch.Libelle, key)
			continue
		}
		path := base + "." + key
		if key == "valueQuantity" {
			q, _ := obj(v)
			n, ok := q["value"].(json.Number)
			if !ok {
				p.fail(path+".value", "nombre attendu")
				continue
			}
			if ch.Kind == medconseil.KindMontant {
				set(name, path+".value", strings.Replace(n.String(), ".", ",", 1))
			} else {
				set(name, path+".value", n)
			}
			continue
		}
		set(name, path, v)
	}
}

// ClaimOf is the Claim of a dossier of a prior-agreement type, with what the
// reader was disclosed: fields of classes it may not see are absent from d and so
// from the Claim.
func ClaimOf(d *medconseil.Dossier, updated time.Time) Resource {
	c := Resource{"resourceType": "Claim", "id": fmt.Sprint(d.ID), "meta": metaOf(d.Version, updated),
		"identifier": []any{Resource{"system": SystemDossier, "value": fmt.Sprint(d.ID)}},
		"status":     "active",
		"type":       concept(SystemClaimType, "professional", "Professional"),
		"subType":    concept(SystemTypeDossier, string(d.Type), d.Type.Label()),
		"use":        "preauthorization",
		"patient":    ref("Patient", d.ID),
		"created":    instant(d.RecueLe),
		"priority":   concept(SystemProcessPriority, "normal", "Normal"),
		"insurance":  []any{Resource{"sequence": 1, "focal": true, "coverage": Resource{"display": "Assurance maladie obligatoire"}}},
		"item":       []any{Resource{"sequence": 1, "productOrService": concept(SystemTypeDossier, string(d.Type), d.Type.Label())}},
	}
	if d.Departement != "" {
		c["insurer"] = Resource{"display": "Service médical, département " + d.Departement}
	}
	if d.Prescripteur != "" {
		c["provider"] = Resource{"reference": "Practitioner/" + string(d.Prescripteur), "identifier": Resource{"system": SystemRPPS, "value": IDNPS(d.Prescripteur)}}
	} else {
		c["provider"] = Resource{"display": "non communiqué"}
	}
	if d.Demande != nil {
		s, _ := medconseil.SchemaOf(d.Type)
		var diag, info []any
		for _, ch := range s.Champs {
			v, ok := d.Demande.Valeurs[ch.Nom]
			if !ok {
				continue
			}
			cat := concept(SystemChamp, ch.Nom, ch.Libelle)
			switch ch.Kind {
			case medconseil.KindCIM10:
				diag = append(diag, Resource{"sequence": len(diag) + 1, "type": []any{cat},
					"diagnosisCodeableConcept": concept(SystemICD10, medconseil.CIM10(v.S).Dotted(), "")})
				continue
			}
			x := Resource{"sequence": len(info) + 1, "category": cat}
			switch ch.Kind {
			case medconseil.KindDate:
				x["timingDate"] = v.D.String()
			case medconseil.KindBool:
				x["valueBoolean"] = v.B
			case medconseil.KindEntier, medconseil.KindDossier:
				x["valueQuantity"] = Resource{"value": v.N}
			case medconseil.KindMontant:
				x["valueQuantity"] = Resource{"value": decimal(v.N), "unit": "€", "system": "urn:iso:std:iso:4217", "code": "EUR"}
			default:
				x["valueString"] = v.S
			}
			info = append(info, x)
		}
		if len(diag) > 0 {
			c["diagnosis"] = diag
		}
		if len(info) > 0 {
			c["supportingInfo"] = info
		}
	}
	return c
}

// Decision is what the ClaimResponse of a dossier says: the outcome as the
// reader may see it and the date of tacit approval from the lifecycle's deadline.
type Decision struct {
	// AccordTacite is the date on which silence is worth approval (the limit of the
	// lifecycle's accord_tacite deadline), zero when the type has none.
	AccordTacite medconseil.Date
}

// ClaimResponseOf is the answer to a Claim, in the shape of the Da Vinci PAS
// ClaimResponse: outcome (queued while under review, complete once decided),
// disposition in French, preAuthRef when the request is approved (expressly or
// tacitly), the item's adjudication with our decision code, and the date of tacit
// approval as an extension. It carries the conclusion only, never the avis's
// reasons nor any clinical element.
func ClaimResponseOf(d *medconseil.Dossier, updated time.Time, dec Decision) Resource {
	created := d.RecueLe
	if d.Avis != nil && !d.Avis.Le.IsZero() {
		created = d.Avis.Le
	}
	r := Resource{"resourceType": "ClaimResponse", "id": fmt.Sprint(d.ID), "meta": metaOf(d.Version, updated),
		"status":  "active",
		"type":    concept(SystemClaimType, "professional", "Professional"),
		"subType": concept(SystemTypeDossier, string(d.Type), d.Type.Label()),
		"use":     "preauthorization",
		"patient": ref("Patient", d.ID),
		"created": instant(created),
		"insurer": Resource{"display": "Service médical, département " + d.Departement},
		"request": ref("Claim", d.ID),
	}
	code, disposition := "en_attente", "Demande en cours d'examen par le service médical"
	switch {
	case d.Avis != nil && d.Avis.Sens == medconseil.SensJustifie:
		code, disposition = "accord", "Accord du service médical"
	case d.Avis != nil && d.Avis.Sens == medconseil.SensNonJustifie:
		code, disposition = "refus", "Refus du service médical"
	case d.Etat == medconseil.EtatAccordTacite || (d.Etat == medconseil.EtatNotifiee && d.Avis == nil):
		code, disposition = "accord_tacite", "Accord tacite : pas de réponse du service médical dans le délai"
	}
	if code == "en_attente" && !dec.AccordTacite.IsZero() {
		disposition += fmt.Sprintf(" ; sans réponse, accord tacite le %s", dec.AccordTacite.Francais())
	}
	if code == "en_attente" {
		r["outcome"] = "queued"
	} else {
		r["outcome"] = "complete"
	}
	r["disposition"] = disposition
	if code == "accord" || code == "accord_tacite" {
		r["preAuthRef"] = fmt.Sprintf("MC-%d", d.ID)
	}
	// The date of tacit approval while silence may still be worth approval, and once
	// it has been; an express decision makes it moot.
	if !dec.AccordTacite.IsZero() && (code == "en_attente" || code == "accord_tacite") {
		r["extension"] = []any{Resource{"url": ExtAccordTacite, "valueDate": dec.AccordTacite.String()}}
	}
	r["item"] = []any{Resource{"itemSequence": 1, "adjudication": []any{Resource{
		"category": concept(SystemAdjudication, "submitted", "Submitted Amount"),
		"reason":   concept(SystemDecision, code, decisionLabel[code]),
	}}}}
	return r
}

var decisionLabel = map[string]string{"accord": "Accord", "refus": "Refus", "en_attente": "En attente", "accord_tacite": "Accord tacite"}
