-- Stop the crawl early: ARGV = why. The first reason stays.
if M.stopped == '' then
  set('stopped', ARGV[1])
  save()
end
return 1
