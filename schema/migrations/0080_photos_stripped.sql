-- Photos are stored without metadata (EXIF with a phone's GPS position, XMP, comments):
-- the server decodes and encodes every upload again (server/lib/imagestrip.c). Photos
-- stored before that keep stripped = false, and the server strips them when they are first
-- served and writes them back (server/api/photo.c says why then and not at start-up): a
-- migration cannot run the image libraries. add_photo sets it for every new photo; the
-- default is false so that nothing is taken as stripped that was not.
ALTER TABLE photos ADD COLUMN stripped boolean NOT NULL DEFAULT false;
