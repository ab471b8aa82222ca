package web

import "medconseil"

// lettreLink is the link of a convocation's letter.
func (s *Server) lettreLink(c *medconseil.Convocation) string { return "" }
