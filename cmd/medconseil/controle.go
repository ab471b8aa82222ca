package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"medconseil"
	"medconseil/internal/controle"
	"medconseil/internal/sqldb"
)

const controleUsage = `Usage : medconseil controle SOUS-COMMANDE [options]

  importer --db BASE --login COMPTE --lot NOM [--fichier F] [--departement 67]
      importe la liste de ciblage de « medconseil detect --json » (fichier, ou
      l'entrée standard) en propositions de procédures MSO/MSAP, au nom du compte
      (médecin-conseil chef de service ou régional) ; les signalements hors de son
      territoire sont ignorés.
  indu --db BASE --login COMPTE --data DOSSIER --procedure N --du JJ/MM/AAAA --au JJ/MM/AAAA
       [--natures 1111,3334] [--calcul JJ/MM/AAAA] [--fraude --connaissance JJ/MM/AAAA]
      calcule l'indu d'une anomalie confirmée de la procédure N sur les lignes
      ER_PRS_F du professionnel (prescription de 3 ans, L133-4 III ; fraude : 5 ans
      de la connaissance des faits et +10 %) et l'enregistre avec sa trace.
  suivi --db BASE --login COMPTE --data DOSSIER --procedure N --reference JOURS
      mesure dans MC_ARR_F, mois par mois sur la période de la MSO, les jours
      d'arrêt prescrits par le professionnel et les compare à la cible (moyenne de
      référence en jours par mois, réduite de l'objectif).`

func runControle(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(e.stdout, controleUsage)
		if len(args) == 0 {
			return usageError("sous-commande manquante : importer, indu ou suivi")
		}
		return nil
	}
	switch args[0] {
	case "importer", "indu", "suivi":
	default:
		return usageError(fmt.Sprintf("sous-commande %q inconnue : importer, indu ou suivi", args[0]))
	}
	sub := args[0]
	fs := newFlagSet(e, "controle "+sub, controleUsage)
	var sf storeFlags
	sf.register(fs, e, "")
	login := fs.String("login", "", "compte au nom duquel agir (médecin-conseil)")
	lot := fs.String("lot", "", "importer : nom du lot (campagne)")
	fichier := fs.String("fichier", "", "importer : sortie de detect --json (défaut : entrée standard)")
	dep := fs.String("departement", "", "importer : département de la liste (défaut : 2 premiers caractères du numéro)")
	data := fs.String("data", "", "indu, suivi : dossier des Parquet (medconseil synth)")
	proc := fs.Int64("procedure", 0, "indu, suivi : numéro de la procédure")
	du := fs.String("du", "", "indu : début de la période des soins concernés")
	au := fs.String("au", "", "indu : fin de la période des soins concernés")
	natures := fs.String("natures", "", "indu : natures de prestation (PRS_NAT_REF) concernées, séparées par des virgules")
	calcul := fs.String("calcul", "", "indu : date de la notification de payer (défaut : aujourd'hui)")
	fraude := fs.Bool("fraude", false, "indu : l'inobservation est une fraude")
	connaissance := fs.String("connaissance", "", "indu : date à laquelle la caisse a connu les faits (fraude)")
	reference := fs.Int("reference", 0, "suivi : moyenne de référence en jours prescrits par mois")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if sf.db == "" || *login == "" {
		return usageError("--db et --login sont nécessaires")
	}
	date := func(flag, s string) (medconseil.Date, error) {
		if s == "" {
			return medconseil.Date{}, nil
		}
		d, err := medconseil.ParseDate(s)
		if err != nil {
			return d, usageError(fmt.Sprintf("--%s : date illisible %q (JJ/MM/AAAA)", flag, s))
		}
		return d, nil
	}
	db, err := sf.open(ctx, e, sub != "importer")
	if err != nil {
		return err
	}
	defer db.Close()
	id, _, actif, err := db.Credentials(ctx, *login)
	if err != nil || !actif {
		return usageError(fmt.Sprintf("--login : compte %q inconnu ou désactivé", *login))
	}
	a, err := db.ActeurByID(ctx, id)
	if err != nil {
		return err
	}
	m := sqldb.Meta{Adresse: "ligne de commande", Finalite: "controle"}
	switch sub {
	case "importer":
		in := e.stdin
		if *fichier != "" {
			f, err := os.Open(*fichier)
			if err != nil {
				return fail("liste de ciblage : %w", err)
			}
			defer f.Close()
			in = f
		}
		ps, err := controle.ParsePropositions(in)
		if err != nil {
			return err
		}
		n, skipped, err := db.ImportPropositions(ctx, a, *lot, ps, *dep, m)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d proposition(s) importée(s), %d ignorée(s) (déjà importées ou hors du territoire de %s)\n", n, skipped, *login)
		return nil
	case "indu":
		if *data == "" || *proc == 0 {
			return usageError("--data et --procedure sont nécessaires")
		}
		v, err := db.Controle(ctx, a, *proc, m)
		if err != nil {
			return err
		}
		sel := controle.Selection{Professionnel: v.Professionnel}
		if sel.Du, err = date("du", *du); err != nil {
			return err
		}
		if sel.Au, err = date("au", *au); err != nil {
			return err
		}
		for _, s := range strings.Split(*natures, ",") {
			if s = strings.TrimSpace(s); s != "" {
				n, err := strconv.Atoi(s)
				if err != nil {
					return usageError(fmt.Sprintf("--natures : %q n'est pas un code PRS_NAT_REF", s))
				}
				sel.Natures = append(sel.Natures, n)
			}
		}
		in := controle.InduInput{Fraude: *fraude, Calcul: medconseil.DateOf(time.Now())}
		if *calcul != "" {
			if in.Calcul, err = date("calcul", *calcul); err != nil {
				return err
			}
		}
		if in.Connaissance, err = date("connaissance", *connaissance); err != nil {
			return err
		}
		lines, err := controle.ReadLignes(ctx, *data, sel)
		if err != nil {
			return err
		}
		iid, err := db.OpenIndu(ctx, a, *proc, v.Departement, sel, in, lines, m)
		if err != nil {
			return err
		}
		iv, err := db.Controle(ctx, a, iid, m)
		if err != nil {
			return err
		}
		c := iv.Indu
		fmt.Fprintf(e.stdout, "Indu n° %d : %d ligne(s) ; retenu %s, prescrit %s, majoration %s, total %s\n", iid, len(c.Lignes), c.Retenu, c.Prescrit, c.Majoration, c.Total)
		for _, r := range c.Regles {
			fmt.Fprintln(e.stdout, "  "+r)
		}
		return nil
	default: // suivi
		if *data == "" || *proc == 0 {
			return usageError("--data et --procedure sont nécessaires")
		}
		v, err := db.Controle(ctx, a, *proc, m)
		if err != nil {
			return err
		}
		if v.Debut.IsZero() {
			return usageError(fmt.Sprintf("la procédure n° %d n'a pas de période de MSO", *proc))
		}
		until := v.Fin
		if today := medconseil.DateOf(time.Now()); today.Before(until) {
			until = today
		}
		mois, err := controle.SuiviMensuel(ctx, *data, v.Debut, until, v.Professionnel, v.RPPS)
		if err != nil {
			return err
		}
		if err := db.RecordSuivi(ctx, a, *proc, *reference, mois, m); err != nil {
			return err
		}
		for _, mo := range mois {
			fmt.Fprintf(e.stdout, "%s\t%d arrêt(s)\t%d jour(s)\n", mo.Mois, mo.Arrets, mo.Jours)
		}
		return nil
	}
}
