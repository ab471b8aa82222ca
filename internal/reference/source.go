package reference

import (
	"fmt"
	"regexp"
)

// Source describes one file of the reference directory: where it lives, its
// separator, the exact header it must carry and how its code column is checked.
type Source struct {
	Name     string // stable identifier, e.g. "IR_CIM_V"
	Path     string // relative to the reference directory
	Title    string // French, shown to users
	Comma    rune
	Header   []string
	Key      int            // column holding the code
	Code     *regexp.Regexp // what a valid code looks like
	Optional bool           // the product works without it
}

var (
	reCIM    = regexp.MustCompile(`^(?:[A-Z][0-9]{2}[0-9A-Z+]{0,4}|III|XXX|ZZZ|IIIIII|XXXXXX)$`)
	reLPP    = regexp.MustCompile(`^[0-9]{7}$`)
	reNum    = regexp.MustCompile(`^[0-9]{1,4}$`)
	reDpt    = regexp.MustCompile(`^(?:[0-9]{3}|[0-9]{2}[AB])$`)
	reAAT    = regexp.MustCompile(`^[A-Z]{3}$|^[IX]{10}$`)
	reMP     = regexp.MustCompile(`^[0-9]{3}$`)
	reINSEE  = regexp.MustCompile(`^(?:[0-9]{5}|2[AB][0-9]{3})$`)
	reFINESS = regexp.MustCompile(`^(?:[0-9]{2}|2[AB])[0-9]{7}$`)
)

func snds(name, title string, key int, code *regexp.Regexp, header ...string) Source {
	return Source{Name: name, Path: "snds/" + name + ".csv", Title: title, Comma: ';', Header: header, Key: key, Code: code}
}

var finessHeader = []string{"nofinesset", "nofinessej", "raison_sociale", "categetab", "libcategetab", "categagretab", "libcategagretab", "codesph", "libsph", "siret", "adresse", "code_postal", "ligne_acheminement_ville", "code_departement", "nom_departement", "commune_insee_derivee", "methode_commune", "dist_km_centroide_commune", "latitude", "longitude", "date_ouverture", "date_maj_finess"}

// Sources lists every file the référentiels are built from, in import order.
func Sources() []Source {
	return []Source{
		snds("IR_CIM_V", "CIM-10 (codes, libellés, ALD)", 0, reCIM, "CIM_COD", "CIM_LIB", "ALD_030_COD", "CAT_CIM_COD", "VER_CPT_COD", "VER_CPT_DTE", "CAT_TUM_COD", "TEC_COL"),
		snds("MS_CIM_V", "CIM-10 PMSI (libellés courts et longs)", 0, reCIM, "CIM_COD", "CIM_LIC", "CIM_LIL", "MVT_DTE", "MVT_ORI", "MVT_TYP", "CIM_LIC_OLD", "TEC_COL"),
		snds("IR_CCI_V", "Catégories CIM-10", 0, reCIM, "CAT_CIM_COD", "CAT_CIM_LIB", "TEC_COL"),
		snds("IR_ALD_V", "Liste des ALD", 0, reNum, "ALD_030_COD", "ALD_030_LIB", "ALD_DEC_DAT", "TEC_COL"),
		snds("NT_LPP", "Liste des produits et prestations (LPP)", 0, reLPP, "LPP_PRS_IDE", "LPP_RED_LIB", "LPP_VAL_DTF", "LPP_MAX_AGE", "LPP_PRS_TYP", "LPP_MED_IND", "LPP_ARB_CHA", "LPP_ARB_SC1", "LPP_ARB_SC2", "LPP_ARB_SC3", "LPP_ARB_SC4", "LPP_ARB_SC5", "LPP_ARB_SC6", "LPP_ARB_SC7", "LPP_ARB_SC8", "LPP_ARB_SC9", "LPP_ARB_BAS", "LPP_PRO_COD"),
		snds("IR_LPP_V", "Tarifs LPP", 0, reLPP, "LPP_COD", "VAL_DTD", "LPP_TAR", "LPP_PRU"),
		snds("IR_NAT_V", "Natures de prestation", 0, reNum, "PRS_NAT", "PRS_NAT_STA", "PRS_NAT_CB2", "PRS_NAT_LIB", "NAT_SOI_TOP", "TDM_NAT_AFF", "PRS_NAT_TDM", "NAT_CPL_ACT", "CCA_CPL_COD", "PRN_AID_TOP", "PRS_SPP_TOP", "TOP_SNI", "TYA_COD", "CEL_TYP", "TOP_PRS_SOI", "PRS_NAT_RGT", "TOP_TRF_OPP", "PRS_NAT_OBS", "TEC_COL"),
		snds("IR_SPE_V", "Spécialités médicales", 0, reNum, "PFS_SPE_COD", "PFS_SPE_STA", "PFS_SPE_LIB", "SPE_LIB_SNI", "PFS_SPE_POS", "SPE_POS_LIB", "PFS_SPE_OMS", "SPE_OMS_LIB", "TEC_COL"),
		snds("IR_ACT_V", "Activités des non-médecins", 0, reNum, "PFS_ACT_NAT", "PFS_ACT_CAT", "ACT_POS", "ACT_NAT_LIB", "SPE_LIB_SNI", "TEC_COL"),
		snds("IR_DPT_V", "Départements", 0, reDpt, "GEO_DPT_COD", "GEO_REG_COD", "GEO_DPT_LIB", "TEC_COL"),
		snds("IR_REG_V", "Régions", 0, reNum, "GEO_REG_COD", "GEO_PAY_COD", "GEO_REG_LIB", "TEC_COL"),
		snds("AT_MLT_V", "Tableaux de maladies professionnelles", 0, reMP, "SIN_MLP_TAB", "SIN_MLP_BTR", "MLP_TAB_LIB", "MLP_TAB_LBC", "TEC_COL"),
		snds("AT_MLP_V", "Syndromes des tableaux de maladies professionnelles", 0, reMP, "SIN_MLP_TAB", "SIN_MLP_BTR", "SIN_SYN_LOP", "SIN_SYN_PAT", "SIN_MLP_LIB", "TEC_COL"),
		snds("AT_AAT_V", "Nature de l'arrêt de travail", 0, reAAT, "AAT_NAT_COD", "AAT_NAT_LIB", "TEC_COL"),
		snds("IR_CIV_V", "Catégories de pension d'invalidité", 0, reNum, "INV_PEN_CAT", "INV_PEN_LIB", "TEC_COL"),
		snds("IR_DTR_V", "Codes détail transport", 0, reNum, "TRS_PRS_IDE", "TRS_IDE_LIB", "TEC_COL"),
		{Name: "communes-centroides", Path: "geo/communes/communes-centroides-2023.csv", Title: "Communes (centroïdes)", Comma: ',', Key: 0, Code: reINSEE,
			Header: []string{"code_commune_INSEE", "nom_commune_postal", "codes_postaux", "code_departement", "code_region", "latitude", "longitude", "source"}},
		{Name: "communes-population", Path: "geo/communes/communes-population.csv", Title: "Communes (noms et populations)", Comma: ',', Key: 0, Code: reINSEE,
			Header: []string{"code_commune_INSEE", "nom", "code_departement", "code_region", "population", "codes_postaux"}},
		{Name: "finess-grand-est", Path: "geo/finess/finess_grand_est_2021.csv", Title: "Établissements FINESS du Grand Est", Comma: ',', Key: 0, Code: reFINESS, Header: finessHeader},
		{Name: "finess-sanitaire", Path: "geo/finess/finess_sanitaire_france_2021.csv", Title: "Établissements sanitaires FINESS (France)", Comma: ',', Key: 0, Code: reFINESS, Header: finessHeader},
	}
}

// SourceByName returns the source called name.
func SourceByName(name string) (Source, bool) {
	for _, s := range Sources() {
		if s.Name == name {
			return s, true
		}
	}
	return Source{}, false
}

func (s Source) String() string { return fmt.Sprintf("%s (%s)", s.Name, s.Path) }
