CREATE FUNCTION f() RETURNS trigger AS $body$
BEGIN
  NEW.updated := now(); -- ;
  RETURN NEW;
END;
$body$ LANGUAGE plpgsql;
SELECT $$a;b$$, E'it''s\';', "we;ird";
