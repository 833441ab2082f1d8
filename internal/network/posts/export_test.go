package posts

// SearchText exposes the search document of a post to the benchmark.
func SearchText(s *Service, p *Post) string { return s.searchText(p) }
