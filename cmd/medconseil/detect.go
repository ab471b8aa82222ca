package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"medconseil/internal/detect"
)

// runDetect profiles the prescribers of the Parquet in --data with DuckDB and
// prints the targeted professionals; « detect eval » scores them against
// ground_truth.json.
func runDetect(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "regles" {
		return runDetectRules(ctx, e, args[1:])
	}
	if len(args) > 0 && args[0] == "bench-pg" {
		return runDetectBenchPG(ctx, e, args[1:])
	}
	evalMode := len(args) > 0 && args[0] == "eval"
	if evalMode {
		args = args[1:]
	}
	name := "detect"
	if evalMode {
		name = "detect eval"
	}
	fs := newFlagSet(e, name, name+" --data DIR [--budget 0.02] [--echelon region|departement] [--json]")
	data := fs.String("data", "", "répertoire des Parquet de la région synthétique (sortie de « medconseil synth »)")
	budget := fs.Float64("budget", detect.DefaultOptions.Budget, "part maximale de chaque profession signalée (0.02 = 2 %)")
	echelon := fs.String("echelon", "region", "groupe de pairs des entonnoirs : region ou departement")
	minRatio := fs.Float64("ratio", detect.DefaultOptions.MinRatio, "ratio standardisé rétréci minimal d'un signalement (la règle « ≥ 2× » de la Cnam ; 0 : z seul)")
	alpha := fs.Float64("alpha", detect.DefaultOptions.Alpha, "probabilité maximale, par professionnel, d'un signalement à tort sur l'ensemble de ses indicateurs (seuil de Bonferroni)")
	minPat := fs.Int64("min-patients", detect.DefaultOptions.MinPatients, "patientèle minimale pour être profilé")
	asJSON := fs.Bool("json", false, "sortie JSON (tableau des professionnels signalés)")
	funnel := fs.String("entonnoir", "", "écrit en SVG l'entonnoir de cet indicateur (arrets_ij, jours_ij, transports, kine, lpp, opioides, hypnotiques) pour la profession de --pro, le point de --pro mis en évidence")
	proNum := fs.String("pro", "", "numéro du professionnel (PFS_EXE_NUM) à mettre en évidence, avec --entonnoir")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("argument inattendu : " + fs.Arg(0))
	}
	if *data == "" {
		return usageError("--data est obligatoire (répertoire des Parquet)")
	}
	opt := detect.DefaultOptions
	opt.Budget, opt.Echelon, opt.MinPatients, opt.MinRatio, opt.Alpha = *budget, *echelon, *minPat, *minRatio, *alpha
	if opt.Alpha <= 0 || opt.Alpha >= 1 {
		return usageError(fmt.Sprintf("--alpha %v invalide : une probabilité entre 0 et 1 est attendue (0.001 pour 0,1 %%)", *alpha))
	}
	if opt.Budget <= 0 || opt.Budget > 1 {
		return usageError(fmt.Sprintf("--budget %v invalide : une part entre 0 et 1 est attendue (0.02 pour 2 %%)", *budget))
	}
	var truth *detect.Truth
	if evalMode {
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
	prof, res, err := detect.Run(ctx, db, opt)
	if err != nil {
		return err
	}
	if *funnel != "" {
		return writeFunnel(e, res, *funnel, *proNum)
	}
	if evalMode {
		fmt.Fprintf(e.stdout, "Données %s : %d prescripteurs profilés (année %d) en %s, signalements « transports » confirmés en %s ; budget %s %%, échelon %s.\n",
			*data, len(res.Scored), prof.Year, prof.Elapsed.Round(time.Millisecond), res.ConfirmElapsed.Round(time.Millisecond), fmt.Sprint(opt.Budget*100), opt.Echelon)
		detect.Score(res, truth).Write(e.stdout)
		return nil
	}
	if *asJSON {
		flags := res.Flags
		if flags == nil {
			flags = []detect.Flag{}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(flags)
	}
	fmt.Fprintf(e.stdout, "%d prescripteurs profilés (année %d) en %s ; %d signalements (budget %s %% par profession).\n\n",
		len(res.Scored), prof.Year, time.Since(t0).Round(time.Millisecond), len(res.Flags), fmt.Sprint(opt.Budget*100))
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "rang\tprofessionnel\tanomalie\tscore\texplication")
	for i, f := range res.Flags {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", i+1, f.Professionnel, f.Anomalie, strings.Replace(fmt.Sprintf("%.2f", f.Score), ".", ",", 1), f.Explication)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(res.Unconfirmed) > 0 {
		fmt.Fprintf(e.stdout, "\nÉcartés à la confirmation (%d) :\n", len(res.Unconfirmed))
		for _, u := range res.Unconfirmed {
			fmt.Fprintf(e.stdout, "  %s %s : %s\n", u.Flag.Professionnel, u.Flag.Anomalie, u.Raison)
		}
	}
	return nil
}

// writeFunnel prints the SVG funnel of one indicator for the peer group of pro.
func writeFunnel(e *env, res *detect.Result, code, pro string) error {
	if pro == "" {
		return usageError("--entonnoir demande --pro (le professionnel à mettre en évidence)")
	}
	ind := -1
	for i, in := range detect.Indicators {
		if in.Code == code {
			ind = i
		}
	}
	if ind < 0 {
		return usageError(fmt.Sprintf("--entonnoir %q inconnu", code))
	}
	for _, f := range res.Funnels {
		if f.Indicator != ind {
			continue
		}
		for _, p := range f.Points {
			if p.Pro.Num == pro {
				return detect.WriteFunnelSVG(e.stdout, f, pro)
			}
		}
	}
	return fmt.Errorf("le professionnel %s n'est sur aucun entonnoir %s (absent, patientèle ou volume attendu trop faibles)", pro, code)
}
