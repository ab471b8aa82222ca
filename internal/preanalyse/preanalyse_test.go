package preanalyse_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"medconseil"
	"medconseil/internal/preanalyse"
	"medconseil/internal/rules"
)

func analyst(t *testing.T) *preanalyse.Analyst {
	t.Helper()
	e, err := rules.NewEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	return preanalyse.New(e)
}

func demande(t *testing.T, typ medconseil.TypeDossier, fields map[string]any) *medconseil.Demande {
	t.Helper()
	s, _ := medconseil.SchemaOf(typ)
	raw := map[string]json.RawMessage{}
	for k, v := range fields {
		raw[k], _ = json.Marshal(v)
	}
	d, err := medconseil.ParseDemande(s, raw)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func date(s string) medconseil.Date { d, _ := medconseil.ParseDate(s); return d }

func TestAnalyse(t *testing.T) {
	an := analyst(t)
	recue := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	kinePast := medconseil.Antecedent{ID: 7, Type: medconseil.TypeKine, Demande: demande(t, medconseil.TypeKine, map[string]any{"date_prescription": "2026-06-01", "situation": "lombalgie", "seances_prevues": 35})}
	tests := []struct {
		name        string
		in          medconseil.Instruction
		wantIssue   string
		wantAlert   string
		wantMissing string
		wantReason  string
	}{
		{name: "transport au-delà de 150 km", in: medconseil.Instruction{Type: medconseil.TypeTransport,
			Demande: demande(t, medconseil.TypeTransport, map[string]any{"date_demande": "2026-11-02", "mode": "vsl", "distance_km": 490, "etat_aide_au_deplacement": true})},
			wantIssue: "accord_prealable_requis"},
		{name: "kiné : séances des 12 mois lues dans l'historique", in: medconseil.Instruction{Type: medconseil.TypeKine, Historique: []medconseil.Antecedent{kinePast},
			Demande: demande(t, medconseil.TypeKine, map[string]any{"date_prescription": "2026-11-02", "situation": "lombalgie", "seances_prevues": 5})},
			wantReason: "35 séances"},
		{name: "ALD déjà demandée", in: medconseil.Instruction{Type: medconseil.TypeALD,
			Historique: []medconseil.Antecedent{{ID: 3, Type: medconseil.TypeALD, Demande: demande(t, medconseil.TypeALD, map[string]any{"date_protocole": "2025-01-01", "cim10": "E119", "soins": "x"})}},
			Demande:    demande(t, medconseil.TypeALD, map[string]any{"date_protocole": "2026-11-02", "cim10": "E110", "soins": "x"})},
			wantIssue: "ald_liste", wantAlert: "ald_deja_demandee"},
		{name: "arrêt sans salaire : fait manquant", in: medconseil.Instruction{Type: medconseil.TypeArretTravail, RecueLe: recue,
			Arret: &medconseil.ArretTravail{Nature: medconseil.NatureInitial, Debut: date("2026-12-01"), Fin: date("2026-12-10"), CIM10: "M545", Libelle: "lombalgie"}},
			wantMissing: "salaires_3_derniers_mois"},
		{name: "téléconsultation de 89 jours", in: medconseil.Instruction{Type: medconseil.TypeArretTravail, RecueLe: recue, Faits: map[string]string{"salaires_3_derniers_mois": "7500,00", "heures_3_mois": "455"},
			Arret: &medconseil.ArretTravail{Nature: medconseil.NatureInitial, Debut: date("2026-12-01"), Fin: date("2027-02-27"), CIM10: "F329", Libelle: "dépression", Teleconsultation: true}},
			wantAlert: "teleconsultation_limite"},
		{name: "téléconsultation par le médecin traitant", in: medconseil.Instruction{Type: medconseil.TypeArretTravail, RecueLe: recue, Prescripteur: "10001234567", MedecinTraitant: "10001234567",
			Faits: map[string]string{"salaires_3_derniers_mois": "7500,00", "heures_3_mois": "455"},
			Arret: &medconseil.ArretTravail{Nature: medconseil.NatureInitial, Debut: date("2026-12-01"), Fin: date("2026-12-30"), CIM10: "F329", Libelle: "dépression", Teleconsultation: true}},
			wantReason: "médecin traitant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, alerts := an.Analyse(&tt.in)
			if tt.wantIssue != "" && p.Issue != tt.wantIssue {
				t.Errorf("issue = %q (%s), want %q", p.Issue, p.Erreur, tt.wantIssue)
			}
			var codes []string
			for _, a := range alerts {
				codes = append(codes, a.Code)
			}
			if tt.wantAlert != "" && !strings.Contains(strings.Join(codes, ","), tt.wantAlert) {
				t.Errorf("alerts = %v, want %s", codes, tt.wantAlert)
			}
			if tt.wantAlert == "" && tt.name == "téléconsultation par le médecin traitant" && len(codes) > 0 {
				t.Errorf("alerts = %v, want none", codes)
			}
			if tt.wantMissing != "" && (len(p.Manquants) == 0 || p.Manquants[0].Nom != tt.wantMissing || p.Issue != "") {
				t.Errorf("missing = %+v issue %q, want %s and no decision", p.Manquants, p.Issue, tt.wantMissing)
			}
			if tt.wantReason != "" {
				var all []string
				for _, m := range p.Motifs {
					all = append(all, m.Message)
				}
				for _, r := range p.Resultats {
					all = append(all, r.Libelle+" "+r.Valeur)
				}
				if !strings.Contains(strings.Join(all, " | "), tt.wantReason) {
					t.Errorf("reasons %q lack %q (issue %q, erreur %q)", all, tt.wantReason, p.Issue, p.Erreur)
				}
			}
			if p.Issue != "" && (p.Version == "" || p.Regles == "") {
				t.Errorf("decision without rule set or version: %+v", p)
			}
		})
	}
}
