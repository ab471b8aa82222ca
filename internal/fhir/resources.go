package fhir

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net/url"
	"time"

	"medconseil"
)

// PatientOf is the assuré of dossier d as the reader was disclosed it (FR Core
// Patient): the NIR in the INS system, the names, birth date and the INSEE code of
// the commune of residence. Its id is the dossier's: Patient/N is "the assuré of
// dossier N"; the NIR is the stable key across dossiers. ok is false when the
// reader may not see the identity.
func PatientOf(d *medconseil.Dossier, updated time.Time) (Resource, bool) {
	a := d.Assure
	if a == nil || a.NIR == "" {
		return nil, false
	}
	p := Resource{"resourceType": "Patient", "id": fmt.Sprint(d.ID), "meta": metaOf(0, updated, ProfilePatient),
		"identifier": []any{Resource{"use": "official",
			"type":   concept(SystemFRIdentifierType, "INS-NIR", "NIR définitif"),
			"system": SystemINS, "value": string(a.NIR)}},
	}
	if a.Nom != "" || a.Prenom != "" {
		n := Resource{"use": "official"}
		if a.Nom != "" {
			n["family"] = a.Nom
		}
		if a.Prenom != "" {
			n["given"] = []any{a.Prenom}
		}
		p["name"] = []any{n}
	}
	if !a.Naissance.IsZero() {
		p["birthDate"] = a.Naissance.String()
	}
	if a.Residence != "" {
		p["address"] = []any{Resource{"use": "home", "extension": []any{Resource{"url": ExtInseeCode, "valueCoding": Resource{"code": a.Residence}}}}}
	}
	return p, true
}

// PractitionerOf is the FR Core Practitioner of an RPPS number: the IDNPS in the
// RPPS system. medconseil keeps no directory of professionals (names, specialties
// are the Annuaire Santé's), so the resource carries the identifier only.
func PractitionerOf(r medconseil.RPPS) Resource {
	return Resource{"resourceType": "Practitioner", "id": string(r), "meta": metaOf(0, time.Time{}, ProfilePractitioner),
		"identifier": []any{Resource{"use": "official", "type": concept(SystemFRIdentifierType, "IDNPS", "Identifiant national de professionnel de santé"),
			"system": SystemRPPS, "value": IDNPS(r)}}}
}

// OrganizationOf is an organisation of the Assurance Maladie (CNAM, DRSM, échelon
// or site of the service médical, CPAM, …) as an FR Core Organization.
func OrganizationOf(o medconseil.Organisme) Resource {
	r := Resource{"resourceType": "Organization", "id": o.Code, "meta": metaOf(0, time.Time{}, ProfileOrganization),
		"identifier": []any{Resource{"system": SystemCodeOrganisme, "value": o.Code}},
		"active":     o.Fin.IsZero() || !o.Fin.Before(medconseil.DateOf(time.Now())),
		"type":       []any{concept(SystemOrganisme, string(o.Type), "")},
		"name":       o.Nom,
	}
	if o.Parent != "" {
		r["partOf"] = ref("Organization", o.Parent)
	}
	if o.Commune != "" || o.Adresse != "" {
		a := Resource{"use": "work"}
		if o.Adresse != "" {
			a["text"] = o.Adresse
		}
		if o.Commune != "" {
			a["extension"] = []any{Resource{"url": ExtInseeCode, "valueCoding": Resource{"code": o.Commune}}}
		}
		r["address"] = []any{a}
	}
	return r
}

// TaskStatus maps a lifecycle state to the FHIR Task status: the request is
// received, then in progress while the service médical examines it, on hold while
// documents are awaited or under appeal, completed once decided (expressly or
// tacitly) or filed.
func TaskStatus(e medconseil.Etat) string {
	switch e {
	case medconseil.EtatRecue:
		return "received"
	case medconseil.EtatPreAnalysee, medconseil.EtatAInstruire, medconseil.EtatConvocation, medconseil.EtatExamen:
		return "in-progress"
	case medconseil.EtatAttentePieces, medconseil.EtatContestee:
		return "on-hold"
	case medconseil.EtatAvisRendu, medconseil.EtatNotifiee, medconseil.EtatAccordTacite, medconseil.EtatClassee:
		return "completed"
	}
	return "received"
}

// EtatsOfTaskStatus is TaskStatus inverted: the states of a Task status (search).
func EtatsOfTaskStatus(s string) []medconseil.Etat {
	var out []medconseil.Etat
	for _, e := range medconseil.Etats {
		if TaskStatus(e) == s {
			out = append(out, e)
		}
	}
	return out
}

// TaskOf is the state of dossier d for whoever may follow it: status, the
// lifecycle's state in businessStatus, the deadline of the next step in
// restriction.period.end, the Claim (prior agreement) or the dossier it concerns.
func TaskOf(d *medconseil.Dossier, updated time.Time) Resource {
	t := Resource{"resourceType": "Task", "id": fmt.Sprint(d.ID), "meta": metaOf(d.Version, updated),
		"identifier":     []any{Resource{"system": SystemDossier, "value": fmt.Sprint(d.ID)}},
		"status":         TaskStatus(d.Etat),
		"businessStatus": Resource{"coding": []any{coding(SystemEtat, string(d.Etat), d.Etat.Label())}, "text": d.Etat.Label()},
		"intent":         "order",
		"code":           concept(SystemTypeDossier, string(d.Type), d.Type.Label()),
		"for":            ref("Patient", d.ID),
		"authoredOn":     instant(d.RecueLe),
		"owner":          Resource{"display": "Service médical, département " + d.Departement},
	}
	if IsPreAuth(d.Type) {
		t["focus"] = ref("Claim", d.ID)
	}
	if !updated.IsZero() {
		t["lastModified"] = instant(updated)
	}
	if !d.Echeance.IsZero() && d.Etat.Open() {
		t["restriction"] = Resource{"period": Resource{"end": d.Echeance.String()}}
	}
	return t
}

// Bundle is a searchset of entries with its paging links (self, first, previous,
// next, last) and the total. server is the absolute FHIR base of this server
// ("http://host/fhir"), typ the resource type searched, q the search parameters.
func Bundle(server, typ string, q url.Values, entries []Resource, total, page, count int) Resource {
	link := func(rel string, p int) Resource {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("_count", fmt.Sprint(count))
		v.Set("_page", fmt.Sprint(p))
		return Resource{"relation": rel, "url": server + "/" + typ + "?" + v.Encode()}
	}
	last := (total + count - 1) / count
	if last < 1 {
		last = 1
	}
	links := []any{link("self", page), link("first", 1)}
	if page > 1 {
		links = append(links, link("previous", page-1))
	}
	if page < last {
		links = append(links, link("next", page+1))
	}
	links = append(links, link("last", last))
	es := make([]any, 0, len(entries))
	for _, e := range entries {
		es = append(es, Resource{"fullUrl": fmt.Sprintf("%s/%s/%s", server, e["resourceType"], e["id"]),
			"resource": e, "search": Resource{"mode": "match"}})
	}
	return Resource{"resourceType": "Bundle", "type": "searchset", "total": total, "link": links, "entry": es}
}

// SystemModeleCourrier and SystemDestinataire code a letter's model and addressee.
const (
	SystemModeleCourrier = Base + "/CodeSystem/modele-courrier"
	SystemDestinataire   = Base + "/CodeSystem/destinataire-courrier"
)

// Lettre is what DocumentReferenceOf needs of a stored letter (sqldb.Courrier).
type Lettre struct {
	ID           int64
	DossierID    int64
	Reference    string
	Modele       string
	Destinataire string
	Objet        string
	CreeLe       time.Time
	Taille       int64
	// PDF is the letter itself, when the reader downloaded it (a read, not a list).
	PDF []byte
}

// DocumentReferenceOf is a letter of a dossier: its reference number as
// masterIdentifier, its model as type, its addressee as category, the dossier's
// Task as context (every dossier type has one), and the PDF — inline when downloaded,
// otherwise by the URL of its Binary. server is the absolute FHIR base.
func DocumentReferenceOf(l Lettre, server string) Resource {
	related := ref("Task", l.DossierID)
	att := Resource{"contentType": "application/pdf", "language": "fr-FR", "title": l.Objet,
		"creation": instant(l.CreeLe), "url": fmt.Sprintf("%s/Binary/%d", server, l.ID)}
	if l.Taille > 0 {
		att["size"] = l.Taille
	}
	if l.PDF != nil {
		sum := sha1.Sum(l.PDF) // R4 Attachment.hash is the base64 SHA-1 of the data
		att["data"], att["hash"], att["size"] = base64.StdEncoding.EncodeToString(l.PDF), base64.StdEncoding.EncodeToString(sum[:]), len(l.PDF)
	}
	return Resource{"resourceType": "DocumentReference", "id": fmt.Sprint(l.ID), "meta": metaOf(0, l.CreeLe),
		"masterIdentifier": Resource{"system": SystemCourrier, "value": l.Reference},
		"status":           "current",
		"docStatus":        "final",
		"type":             concept(SystemModeleCourrier, l.Modele, ""),
		"category":         []any{concept(SystemDestinataire, l.Destinataire, "")},
		"subject":          ref("Patient", l.DossierID),
		"date":             instant(l.CreeLe),
		"description":      l.Objet,
		"content":          []any{Resource{"attachment": att}},
		"context":          Resource{"related": []any{related}},
	}
}

// BinaryOf is the PDF of a letter as a FHIR Binary.
func BinaryOf(id int64, pdf []byte) Resource {
	return Resource{"resourceType": "Binary", "id": fmt.Sprint(id), "contentType": "application/pdf",
		"data": base64.StdEncoding.EncodeToString(pdf)}
}
