package web

// legislationRoutes registers the parameters and rules API and the "Législation"
// and decision pages. Owned by the legislation work; empty until it lands.
func (s *Server) legislationRoutes() {}
