package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"medconseil/internal/detect"
)

// runDetectRules runs the fraud-rule catalogue (« medconseil detect regles »)
// and, with --eval, scores the alerts against ground_truth.json.
func runDetectRules(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "detect regles", "detect regles --data DIR [--reference DIR] [--regle CODE,…] [--json | --eval | --liste]")
	data := fs.String("data", "", "répertoire des Parquet de la région synthétique (sortie de « medconseil synth »)")
	refDir := fs.String("reference", "", "référentiels (modèle de distance routière ; défaut : $MEDCONSEIL_REFERENCE ou ../shared/reference)")
	only := fs.String("regle", "", "codes des règles à lancer, séparés par des virgules (toutes par défaut)")
	asJSON := fs.Bool("json", false, "sortie JSON (tableau des alertes)")
	evalMode := fs.Bool("eval", false, "compare les alertes à ground_truth.json (rappel et alertes justes par règle)")
	list := fs.Bool("liste", false, "affiche le catalogue des règles et leurs seuils")
	seuils := fs.String("seuil", "", "seuils remplaçant ceux du catalogue, « règle=valeur » séparés par des virgules (ex. journee_impossible=900)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("argument inattendu : " + fs.Arg(0))
	}
	if *list {
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "règle\tlibellé\tseuil")
		for _, r := range detect.Rules {
			fmt.Fprintf(tw, "%s\t%s\t%s %s\n", r.Code, r.Label, strings.Replace(fmt.Sprint(r.Threshold), ".", ",", 1), r.Unit)
		}
		return tw.Flush()
	}
	if *data == "" {
		return usageError("--data est obligatoire (répertoire des Parquet)")
	}
	opt := detect.RuleOptions{}
	if *only != "" {
		opt.Only = strings.Split(*only, ",")
		for _, c := range opt.Only {
			if detect.RuleByCode(c) == nil {
				return usageError(fmt.Sprintf("--regle %q inconnue (voir --liste)", c))
			}
		}
	}
	if *seuils != "" {
		opt.Thresholds = map[string]float64{}
		for _, kv := range strings.Split(*seuils, ",") {
			k, v, ok := strings.Cut(kv, "=")
			x, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
			if !ok || err != nil || detect.RuleByCode(k) == nil {
				return usageError(fmt.Sprintf("--seuil %q invalide : « règle=valeur » attendu, règle du catalogue (--liste)", kv))
			}
			opt.Thresholds[k] = x
		}
	}
	if d, err := referenceDir(e, *refDir); err == nil {
		opt.Reference = d
	} else if *refDir != "" {
		return err
	}
	var truth *detect.Truth
	if *evalMode {
		t, err := detect.ReadTruth(*data)
		if err != nil {
			return err
		}
		truth = t
	}
	db, err := detect.Open(ctx, *data)
	if err != nil {
		return err
	}
	defer db.Close()
	t0 := time.Now()
	if opt.Only == nil || slices.Contains(opt.Only, "surprescription_ij") {
		var err error
		if _, opt.Targeting, err = detect.Run(ctx, db, detect.DefaultOptions); err != nil {
			return err
		}
	}
	alerts, err := detect.RunRules(ctx, db, opt)
	if err != nil {
		return err
	}
	elapsed := time.Since(t0).Round(time.Millisecond)
	if *evalMode {
		fmt.Fprintf(e.stdout, "Données %s : %d alertes en %s.\n", *data, len(alerts), elapsed)
		detect.ScoreRules(alerts, truth).Write(e.stdout)
		return nil
	}
	if *asJSON {
		if alerts == nil {
			alerts = []detect.Alert{}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(alerts)
	}
	fmt.Fprintf(e.stdout, "%d alertes en %s.\n\n", len(alerts), elapsed)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "règle\tprofessionnel\tbénéficiaire\texplication")
	for _, a := range alerts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Regle, a.Professionnel, a.Beneficiaire, a.Explication)
	}
	return tw.Flush()
}
