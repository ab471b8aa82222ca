package rules

type stub struct{ name string }

func (s stub) ruleSet() *ruleSet {
	return &ruleSet{name: s.name, title: s.name, labels: map[string]string{}, eval: func(raw []byte, d *Decision) error { return nil }}
}
func newATMP(r *resolver) stub       { return stub{"atmp"} }
func newInvalidite(r *resolver) stub { return stub{"invalidite"} }
func newALD(r *resolver) stub        { return stub{"ald"} }
func newTransport(r *resolver) stub  { return stub{"transport"} }
func newKine(r *resolver) stub       { return stub{"kine"} }
func newOrdonnance(r *resolver) stub { return stub{"ordonnance"} }
func newMTDents(r *resolver) stub    { return stub{"mtdents"} }
func newLPP(r *resolver) stub        { return stub{"lpp"} }
