-- Stop the crawl early: ARGV = why. The first reason stays; the crawl's
-- keys expire in a day unless its coordinator removes them first.
if M.stopped == '' then
  set('stopped', ARGV[1])
  save()
  expire_all(86400000)
end
return 1
