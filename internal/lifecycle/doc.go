package lifecycle

import (
	"fmt"
	"strings"

	"medconseil"
)

// Markdown writes docs/lifecycle.md from the lifecycle files: per type, its states,
// its transitions with who may trigger them, and its deadlines with their sources.
// The test TestDocIsCurrent keeps the committed file equal to it (-update rewrites).
func Markdown(s *Set) string {
	var b strings.Builder
	b.WriteString(`# Cycles de vie des dossiers et échéances légales

<!-- Généré depuis internal/lifecycle/cycles/*.yaml : go test ./internal/lifecycle -run TestDocIsCurrent -update -->

Chaque type de dossier a son cycle de vie dans un fichier YAML
(` + "`internal/lifecycle/cycles/<type>.yaml`" + `) : ses états, les transitions entre eux avec
les rôles qui peuvent les déclencher, et ses **échéances** — délais légaux dont l'expiration
produit un effet (accord tacite, reconnaissance implicite, rappel, expiration d'une demande de
pièces, décision définitive, rejet implicite d'un recours), chacune avec sa source. Les fichiers
sont lus et vérifiés au démarrage : clé, état, rôle ou événement inconnu, échéance sans source,
état inatteignable sont refusés avec le fichier et la ligne.

**Comment une échéance court.** Elle est écrite (table ` + "`echeance`" + `) dans la transaction
de l'événement qui la fait courir — le dépôt (` + "`reception`" + `) ou une transition — depuis la
date de réception du dossier ou celle de l'événement. Elle court tant que le dossier reste dans
l'un de ses états « tant que » ; le quitter (un avis rendu avant la date, une demande de pièces)
l'annule dans la même transaction. **Limite** = dernier jour du délai ; l'effet est acquis le
lendemain (**due**), et le balayage (` + "`medconseil deadlines --until`" + `, ou le serveur toutes
les ` + "`--deadlines-interval`" + `) le déclenche une seule fois : changement d'état, annulation des
autres échéances devenues sans objet et entrée du journal d'audit citant la source, dans une
même transaction. Un accord tacite ou une reconnaissance implicite y écrit aussi la
notification à la caisse et une ligne ` + "`courrier_a_rendre`" + ` ; les courriers PDF sont rendus
juste après, hors de la transaction du balayage, par le rendu des courriers
(` + "`sqldb.RenderCourriers`" + `, voir docs/courriers.md « Rendu hors balayage ») — lancé après chaque
balayage par le serveur et par ` + "`medconseil deadlines`" + `, donc aussi au redémarrage. Le balayage
déclenche 512 échéances par transaction (` + "`sqldb.SweepBatch`" + `).

**Calcul.** ` + "`jour`" + ` : N jours calendaires après l'événement (limite = J+N).
` + "`jour_franc`" + ` : le jour de l'événement ne compte pas et le délai expire à la fin du jour
suivant le dernier jour compté (limite = J+N+1) ; avec **report**, un délai finissant un samedi,
un dimanche ou un jour férié (fériés d'Alsace-Moselle pour 57, 67, 68) est reporté au premier jour
ouvré (art. 641-642 CPC). ` + "`mois`" + ` : même quantième N mois plus tard (dernier jour du mois s'il
n'existe pas). **du / au** : dates des faits (début du délai) auxquelles l'échéance s'applique
(critère d'application du texte). **À vérifier** : REGULATIONS.md marque la valeur ou son calcul
comme non confirmé.

**Sur la page du dossier.** La section « Cycle de vie et délais légaux » montre l'état actuel,
chaque délai en cours avec son dernier jour, les jours restants (ou « dépassé de N jours », sur
fond rouge), l'effet à l'échéance et sa source légale en lien, les délais échus ou devenus sans
objet, l'historique des transitions (dépôt, transitions faites par les agents, échéances
déclenchées par l'échéancier, avis — lu dans le journal d'audit) et un bouton par transition que
le rôle du lecteur permet depuis l'état actuel (` + "`POST /dossiers/{id}/evenements`" + `, jumeau
HTML de ` + "`POST /api/v1/dossiers/{id}/evenements`" + `). Elle paraît pour les rôles qui voient la
classe administrative du dossier.

| type | échéances |
|---|---|
`)
	for _, l := range s.All() {
		fmt.Fprintf(&b, "| [%s](#%s) | %d |\n", l.Libelle, l.Type, len(l.Echeances))
	}
	for _, l := range s.All() {
		fmt.Fprintf(&b, "\n## <a id=\"%s\"></a>%s (`%s`)\n\n", l.Type, l.Libelle, l.Type)
		fmt.Fprintf(&b, "Fichier `internal/lifecycle/cycles/%s`. État initial **%s** ; après le dépôt : **%s**.", l.Fichier, l.Initial.Label(), l.ApresDepot.Label())
		if len(l.Natures) > 0 {
			fmt.Fprintf(&b, " Natures : %s.", "`"+strings.Join(l.Natures, "`, `")+"`")
		}
		b.WriteString("\n\nÉtats : ")
		names := make([]string, len(l.Etats))
		for i, e := range l.Etats {
			names[i] = fmt.Sprintf("%s (`%s`)", e.Label(), e)
		}
		b.WriteString(strings.Join(names, ", ") + ".\n\n")
		b.WriteString("| événement | de | vers | par |\n|---|---|---|---|\n")
		for _, t := range l.Transitions {
			vers := "—"
			if t.Vers != "" {
				vers = t.Vers.Label()
			}
			fmt.Fprintf(&b, "| `%s` — %s | %s | %s | %s |\n", t.Evenement, t.Libelle, etats(t.De), vers, strings.Join(t.Par, ", "))
		}
		if len(l.Echeances) == 0 {
			b.WriteString("\nAucune échéance légale.\n")
			continue
		}
		b.WriteString("\n| échéance | après | depuis | délai | court tant que | effet | s'applique | source |\n|---|---|---|---|---|---|---|---|\n")
		for _, e := range l.Echeances {
			delai := e.Duration()
			if e.Report {
				delai += ", report au jour ouvré"
			}
			effet := e.Effet.Label()
			if e.Vers != "" {
				effet += " → " + e.Vers.Label()
			}
			applies := ""
			if len(e.Natures) > 0 {
				applies = "natures " + strings.Join(e.Natures, ", ") + " ; "
			}
			switch {
			case !e.Du.IsZero() && !e.Au.IsZero():
				applies += "du " + e.Du.Francais() + " au " + e.Au.Francais()
			case !e.Du.IsZero():
				applies += "depuis le " + e.Du.Francais()
			case !e.Au.IsZero():
				applies += "jusqu'au " + e.Au.Francais()
			default:
				applies += "toujours"
			}
			var src []string
			for _, s := range e.Sources {
				if s.Href != "" {
					src = append(src, fmt.Sprintf("[%s](%s)", s.Title, s.Href))
				} else {
					src = append(src, s.Title)
				}
			}
			flags := ""
			if e.Interne {
				flags += " *(objectif interne, non réglementaire)*"
			}
			if e.Verify {
				flags += " **à vérifier**"
			}
			if e.Note != "" {
				flags += " — " + e.Note
			}
			depuis := "réception"
			if e.Depuis != Reception {
				depuis = "l'événement"
			}
			fmt.Fprintf(&b, "| `%s` — %s | `%s` | %s | %s | %s | %s | %s | %s%s |\n",
				e.Nom, e.Libelle, e.Apres, depuis, delai, etats(e.TantQue), effet, applies, strings.Join(src, " ; "), flags)
		}
	}
	return b.String()
}

func etats(es []medconseil.Etat) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Label()
	}
	return strings.Join(s, ", ")
}
