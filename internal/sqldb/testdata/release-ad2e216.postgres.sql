--
-- PostgreSQL database dump
--

\restrict RpAHBDhskediVz9jSNiYjrcwZx3wgBCpJoNnPafSE7jgkAf0JSfpv3cu8b6nL8n

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: public; Type: SCHEMA; Schema: -; Owner: -
--

-- *not* creating schema, since initdb creates it


--
-- Name: SCHEMA public; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA public IS '';


--
-- Name: audit_append_only(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.audit_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'journal d''audit : modification interdite';
END;
$$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: api_token; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_token (
    id bigint NOT NULL,
    utilisateur_id bigint NOT NULL,
    hash text NOT NULL,
    libelle text DEFAULT ''::text NOT NULL,
    cree_le text NOT NULL,
    revoque_le text
);


--
-- Name: api_token_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.api_token_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: api_token_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.api_token_id_seq OWNED BY public.api_token.id;


--
-- Name: arret; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.arret (
    dossier_id bigint NOT NULL,
    nature text NOT NULL,
    initial_id bigint,
    debut text NOT NULL,
    fin text NOT NULL,
    teleconsultation integer DEFAULT 0 NOT NULL,
    cim10_enc text NOT NULL,
    libelle_enc text NOT NULL,
    motif_enc text DEFAULT ''::text NOT NULL
);


--
-- Name: assure; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.assure (
    nir text NOT NULL,
    nom text DEFAULT ''::text NOT NULL,
    prenom text DEFAULT ''::text NOT NULL,
    naissance text,
    residence text NOT NULL,
    cree_le text NOT NULL
);


--
-- Name: audit; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit (
    seq bigint NOT NULL,
    le text NOT NULL,
    acteur_id bigint,
    login text NOT NULL,
    roles text NOT NULL,
    action text NOT NULL,
    objet text NOT NULL,
    classes text NOT NULL,
    finalite text NOT NULL,
    adresse text NOT NULL,
    resultat text NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL
);


--
-- Name: audit_head; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_head (
    id integer NOT NULL,
    seq bigint NOT NULL,
    hash text NOT NULL,
    CONSTRAINT audit_head_id_check CHECK ((id = 1))
);


--
-- Name: avis; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.avis (
    dossier_id bigint NOT NULL,
    sens text NOT NULL,
    effet_au text,
    motif_enc text DEFAULT ''::text NOT NULL,
    par text NOT NULL,
    le text NOT NULL
);


--
-- Name: dossier; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.dossier (
    id bigint NOT NULL,
    type text NOT NULL,
    etat text NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    departement text NOT NULL,
    nir text NOT NULL,
    prescripteur text DEFAULT ''::text NOT NULL,
    recue_le text NOT NULL,
    echeance text,
    attribue_a text DEFAULT ''::text NOT NULL,
    cree_par bigint,
    maj_le text NOT NULL
);


--
-- Name: dossier_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.dossier_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: dossier_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.dossier_id_seq OWNED BY public.dossier.id;


--
-- Name: habilitation; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.habilitation (
    utilisateur_id bigint NOT NULL,
    role text NOT NULL,
    niveau text NOT NULL,
    code text DEFAULT ''::text NOT NULL
);


--
-- Name: idempotence; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotence (
    utilisateur_id bigint NOT NULL,
    cle text NOT NULL,
    route text NOT NULL,
    corps_hash text NOT NULL,
    statut integer NOT NULL,
    reponse text NOT NULL,
    cree_le text NOT NULL
);


--
-- Name: login_echec; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.login_echec (
    cle text NOT NULL,
    le text NOT NULL
);


--
-- Name: note_clinique; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.note_clinique (
    id bigint NOT NULL,
    dossier_id bigint NOT NULL,
    auteur text NOT NULL,
    le text NOT NULL,
    texte_enc text NOT NULL
);


--
-- Name: note_clinique_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.note_clinique_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: note_clinique_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.note_clinique_id_seq OWNED BY public.note_clinique.id;


--
-- Name: organisme; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.organisme (
    code text NOT NULL,
    type text NOT NULL,
    nom text NOT NULL,
    parent text,
    region text DEFAULT ''::text NOT NULL,
    departement text DEFAULT ''::text NOT NULL,
    commune text DEFAULT ''::text NOT NULL,
    adresse text DEFAULT ''::text NOT NULL
);


--
-- Name: referentiel_ligne; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.referentiel_ligne (
    version_id bigint NOT NULL,
    ligne integer NOT NULL,
    code text NOT NULL,
    champs text NOT NULL
);


--
-- Name: referentiel_version; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.referentiel_version (
    id bigint NOT NULL,
    source text NOT NULL,
    fichier text NOT NULL,
    sha256 text NOT NULL,
    lignes integer NOT NULL,
    importe_le text NOT NULL,
    courante integer DEFAULT 0 NOT NULL
);


--
-- Name: referentiel_version_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.referentiel_version_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: referentiel_version_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.referentiel_version_id_seq OWNED BY public.referentiel_version.id;


--
-- Name: schema_migration; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migration (
    name text NOT NULL,
    applied_at text NOT NULL
);


--
-- Name: session; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.session (
    id_hash text NOT NULL,
    utilisateur_id bigint NOT NULL,
    csrf text NOT NULL,
    cree_le text NOT NULL,
    vu_le text NOT NULL,
    expire_le text NOT NULL,
    adresse text DEFAULT ''::text NOT NULL
);


--
-- Name: utilisateur; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.utilisateur (
    id bigint NOT NULL,
    login text NOT NULL,
    nom text NOT NULL,
    password_hash text NOT NULL,
    actif integer DEFAULT 1 NOT NULL,
    cree_le text NOT NULL
);


--
-- Name: utilisateur_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.utilisateur_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: utilisateur_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.utilisateur_id_seq OWNED BY public.utilisateur.id;


--
-- Name: api_token id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_token ALTER COLUMN id SET DEFAULT nextval('public.api_token_id_seq'::regclass);


--
-- Name: dossier id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.dossier ALTER COLUMN id SET DEFAULT nextval('public.dossier_id_seq'::regclass);


--
-- Name: note_clinique id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.note_clinique ALTER COLUMN id SET DEFAULT nextval('public.note_clinique_id_seq'::regclass);


--
-- Name: referentiel_version id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.referentiel_version ALTER COLUMN id SET DEFAULT nextval('public.referentiel_version_id_seq'::regclass);


--
-- Name: utilisateur id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.utilisateur ALTER COLUMN id SET DEFAULT nextval('public.utilisateur_id_seq'::regclass);


--
-- Data for Name: api_token; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: arret; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.arret VALUES (1, 'initial', NULL, '2026-11-02', '2026-11-20', 0, 'enc1:test1:7O7gKujYuUu8/R4o+5gSSaG5gsAayb5Iu60S+KKBFEs', 'enc1:test1:k8WwxaDtfG5nzDQN835po/rxMz9TtC1T7hiQr1/ekd8EwGEeYKCnuHjrUqbE', 'enc1:test1:csJJyVuEHvQW8veDsujYBE7bbte0uUTrbRTolCHixYpc72ooTlxtVnqnRQ');
INSERT INTO public.arret VALUES (2, 'initial', NULL, '2026-11-03', '2026-11-10', 0, 'enc1:test1:8l9fHv4uuwTa3BQpCelyFhOH2veJ7klb1B8TnrFivuQ', 'enc1:test1:WmvZkdTTYTcCDgeQKZyb8lUJsY6LUCauFxdyOtB1D45wDcsYhdWdPcq9', 'enc1:test1:oHfQchU9+qCMzKg+HsFqZnBERTeKua0yZIZYDjOMx1Kdu/yTtLyE1n7j6Q');


--
-- Data for Name: assure; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.assure VALUES ('185056748212337', 'MARTIN', 'Paul', NULL, '67482', '2026-12-02T07:00:03.632173858Z');
INSERT INTO public.assure VALUES ('285056748212384', 'MARTIN', 'Paul', NULL, '67482', '2026-12-02T07:00:03.643352563Z');


--
-- Data for Name: audit; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.audit VALUES (1, '2026-12-02T07:00:03.553805015Z', NULL, '', '', 'compte.creation', 'utilisateur:infirmier.67', '', '', '', 'ok', '', 'ac865e33431526d82a93cc55794427be5d2c88ec3c7bdf95f0d89b6b0271ca4a');
INSERT INTO public.audit VALUES (2, '2026-12-02T07:00:03.563427102Z', NULL, '', '', 'compte.creation', 'utilisateur:autre.medecin', '', '', '', 'ok', 'ac865e33431526d82a93cc55794427be5d2c88ec3c7bdf95f0d89b6b0271ca4a', '70495b79db59805fe2c6d4d8b9e4ab7b010f4b931eacb9e00bdc437f70ab83b7');
INSERT INTO public.audit VALUES (3, '2026-12-02T07:00:03.573089646Z', NULL, '', '', 'compte.creation', 'utilisateur:employeur', '', '', '', 'ok', '70495b79db59805fe2c6d4d8b9e4ab7b010f4b931eacb9e00bdc437f70ab83b7', 'fa05ba27551235c6557e9bd187f21f431399a360ee52aa1aecaf52bd124b0532');
INSERT INTO public.audit VALUES (4, '2026-12-02T07:00:03.577220443Z', NULL, '', '', 'compte.creation', 'utilisateur:admin', '', '', '', 'ok', 'fa05ba27551235c6557e9bd187f21f431399a360ee52aa1aecaf52bd124b0532', 'e0cd3cda73a4658853102650407c8a3e8ee8fdcb672e9bc7e37db9b4dc1b8a6f');
INSERT INTO public.audit VALUES (5, '2026-12-02T07:00:03.582943915Z', NULL, '', '', 'compte.creation', 'utilisateur:praticien.57', '', '', '', 'ok', 'e0cd3cda73a4658853102650407c8a3e8ee8fdcb672e9bc7e37db9b4dc1b8a6f', '8bbad083075bed6b57638aa8185889dc5c919bbf4f993ca766d762895387b353');
INSERT INTO public.audit VALUES (6, '2026-12-02T07:00:03.588732520Z', NULL, '', '', 'compte.creation', 'utilisateur:regional', '', '', '', 'ok', '8bbad083075bed6b57638aa8185889dc5c919bbf4f993ca766d762895387b353', 'd1fab554636c42481fa92f1636a7480a85e0e3524de6d94ef22f6cf158f9aaf5');
INSERT INTO public.audit VALUES (7, '2026-12-02T07:00:03.599947343Z', NULL, '', '', 'compte.creation', 'utilisateur:agent.67', '', '', '', 'ok', 'd1fab554636c42481fa92f1636a7480a85e0e3524de6d94ef22f6cf158f9aaf5', '94c634686e67721d16bf728245513da497c9d509ff89c485344372de40717cb9');
INSERT INTO public.audit VALUES (8, '2026-12-02T07:00:03.605231771Z', NULL, '', '', 'compte.creation', 'utilisateur:cpam.67', '', '', '', 'ok', '94c634686e67721d16bf728245513da497c9d509ff89c485344372de40717cb9', 'f448bbbdb1d96a68b3c97278bdf511487d0b575214c5c12b02304b5c6d777acb');
INSERT INTO public.audit VALUES (9, '2026-12-02T07:00:03.612220928Z', NULL, '', '', 'compte.creation', 'utilisateur:cpam.57', '', '', '', 'ok', 'f448bbbdb1d96a68b3c97278bdf511487d0b575214c5c12b02304b5c6d777acb', '8e71e9a09ffed654cceff9169cb1adfba12106435ab90343674308069f41b0d3');
INSERT INTO public.audit VALUES (10, '2026-12-02T07:00:03.616130042Z', NULL, '', '', 'compte.creation', 'utilisateur:prescripteur.demo', '', '', '', 'ok', '8e71e9a09ffed654cceff9169cb1adfba12106435ab90343674308069f41b0d3', '8e75df347056973a7c601e5e1c7a1b6d76df927786eab34060fcefac7e9e83d1');
INSERT INTO public.audit VALUES (11, '2026-12-02T07:00:03.619889093Z', NULL, '', '', 'compte.creation', 'utilisateur:statisticien', '', '', '', 'ok', '8e75df347056973a7c601e5e1c7a1b6d76df927786eab34060fcefac7e9e83d1', '157772e6567268c47b6c82caab22a5314182ccc1d3740f579891b1d04d69f51d');
INSERT INTO public.audit VALUES (12, '2026-12-02T07:00:03.623905643Z', NULL, '', '', 'compte.creation', 'utilisateur:dpo', '', '', '', 'ok', '157772e6567268c47b6c82caab22a5314182ccc1d3740f579891b1d04d69f51d', '03dc1b97dddff2463996c2d803952106254c186bd669ee34082378dba8d102fc');
INSERT INTO public.audit VALUES (13, '2026-12-02T07:00:03.628029496Z', NULL, '', '', 'compte.creation', 'utilisateur:praticien.67', '', '', '', 'ok', '03dc1b97dddff2463996c2d803952106254c186bd669ee34082378dba8d102fc', '1d8d17b4b4c2d7747c98dc6914ebb3c35ba01ffed6e0e5d55e208f6ecd0c519d');
INSERT INTO public.audit VALUES (14, '2026-12-02T07:00:03.639332006Z', 10, 'prescripteur.demo', 'professionnel_sante@rpps:10001234567', 'arret.depot', 'dossier:1', 'identité,administratif,clinique', 'depot', '', 'ok', '1d8d17b4b4c2d7747c98dc6914ebb3c35ba01ffed6e0e5d55e208f6ecd0c519d', '1fe1be85de0f25e8b30d9692e87c287013cb8833704414b3b1e0df9b1ade7de3');
INSERT INTO public.audit VALUES (15, '2026-12-02T07:00:03.644483651Z', 10, 'prescripteur.demo', 'professionnel_sante@rpps:10001234567', 'arret.depot', 'dossier:2', 'identité,administratif,clinique', 'depot', '', 'ok', '1fe1be85de0f25e8b30d9692e87c287013cb8833704414b3b1e0df9b1ade7de3', 'be041bd8ab842b72f13036fc82d22e5cfa7e4e0d8e38a278324337b6a0ed7321');
INSERT INTO public.audit VALUES (16, '2026-12-02T07:00:03.650489580Z', 13, 'praticien.67', 'praticien_conseil@echelon:67', 'note.saisie', 'dossier:1', 'clinique', 'instruction', '', 'ok', 'be041bd8ab842b72f13036fc82d22e5cfa7e4e0d8e38a278324337b6a0ed7321', '2e001b0f8cb9505cf6bc03f8504683a3b2be7c291bd804321a99ec14473c9390');
INSERT INTO public.audit VALUES (17, '2026-12-02T07:00:03.664051521Z', 13, 'praticien.67', 'praticien_conseil@echelon:67', 'dossier.lecture', 'dossier:1', 'identité,administratif,clinique,décision', 'instruction', '', 'ok', '2e001b0f8cb9505cf6bc03f8504683a3b2be7c291bd804321a99ec14473c9390', 'af008304b27f5c5dd0c66a5d8e830227e8fc938047761b76562466e6f70da66b');
INSERT INTO public.audit VALUES (18, '2026-12-02T07:00:03.670435007Z', 13, 'praticien.67', 'praticien_conseil@echelon:67', 'avis.saisie', 'dossier:1', 'clinique,décision', 'instruction', '', 'ok', 'af008304b27f5c5dd0c66a5d8e830227e8fc938047761b76562466e6f70da66b', '9a84dc1a8e79a6ed9cfc182793995f55a6b6196026b2c97bf88b63020f18589b');


--
-- Data for Name: audit_head; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.audit_head VALUES (1, 18, '9a84dc1a8e79a6ed9cfc182793995f55a6b6196026b2c97bf88b63020f18589b');


--
-- Data for Name: avis; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.avis VALUES (1, 'justifie', NULL, 'enc1:test1:+xsBuT7Mw8nf+I2lj/v8E7/bwIFhQc3wsfGnAY74AlSCUoYCf3lfUw', 'praticien.67', '2026-12-02T07:00:03.668801193Z');


--
-- Data for Name: dossier; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.dossier VALUES (2, 'arret_travail', 'a_instruire', 1, '67', '285056748212384', '10001234567', '2026-12-02T07:00:03.643352563Z', '2026-12-09', '', 10, '2026-12-02T07:00:03.643352563Z');
INSERT INTO public.dossier VALUES (1, 'arret_travail', 'avis_rendu', 3, '67', '185056748212337', '10001234567', '2026-12-02T07:00:03.632173858Z', '2026-12-09', 'praticien.67', 10, '2026-12-02T07:00:03.668801193Z');


--
-- Data for Name: habilitation; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.habilitation VALUES (1, 'infirmier', 'site', 'S67-STRASBOURG');
INSERT INTO public.habilitation VALUES (2, 'professionnel_sante', 'rpps', '10009999999');
INSERT INTO public.habilitation VALUES (3, 'employeur', 'siret', '12345678900011');
INSERT INTO public.habilitation VALUES (4, 'admin', 'region', '44');
INSERT INTO public.habilitation VALUES (5, 'praticien_conseil', 'echelon', '57');
INSERT INTO public.habilitation VALUES (6, 'medecin_regional', 'region', '44');
INSERT INTO public.habilitation VALUES (7, 'agent_administratif', 'echelon', '67');
INSERT INTO public.habilitation VALUES (8, 'agent_cpam', 'caisse', '67');
INSERT INTO public.habilitation VALUES (9, 'agent_cpam', 'caisse', '57');
INSERT INTO public.habilitation VALUES (10, 'professionnel_sante', 'rpps', '10001234567');
INSERT INTO public.habilitation VALUES (11, 'statisticien', 'region', '44');
INSERT INTO public.habilitation VALUES (12, 'auditeur', 'region', '44');
INSERT INTO public.habilitation VALUES (13, 'praticien_conseil', 'echelon', '67');


--
-- Data for Name: idempotence; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: login_echec; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: note_clinique; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.note_clinique VALUES (1, 1, 'praticien.67', '2026-12-02T07:00:03.647238935Z', 'enc1:test1:0ylZGpzK5RZRsZTj/N9ZT+5QQ35tU1etvY5lTyH6TQEe2mM+8iN7CwxBj50Cfpo8Zw');


--
-- Data for Name: organisme; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.organisme VALUES ('CNAM', 'cnam', 'Caisse nationale de l''Assurance Maladie', NULL, '', '', '75056', '50 avenue du Professeur André Lemierre, 75020 Paris');
INSERT INTO public.organisme VALUES ('CARSAT-AM', 'carsat', 'Carsat Alsace-Moselle', NULL, '44', '', '67482', '');
INSERT INTO public.organisme VALUES ('CARSAT-NE', 'carsat', 'Carsat Nord-Est', NULL, '44', '', '54395', '');
INSERT INTO public.organisme VALUES ('CPAM-08', 'cpam', 'CPAM des Ardennes', NULL, '44', '08', '08105', '');
INSERT INTO public.organisme VALUES ('CPAM-10', 'cpam', 'CPAM de l''Aube', NULL, '44', '10', '10387', '');
INSERT INTO public.organisme VALUES ('CPAM-51', 'cpam', 'CPAM de la Marne', NULL, '44', '51', '51108', '');
INSERT INTO public.organisme VALUES ('CPAM-52', 'cpam', 'CPAM de la Haute-Marne', NULL, '44', '52', '52121', '');
INSERT INTO public.organisme VALUES ('CPAM-54', 'cpam', 'CPAM de Meurthe-et-Moselle', NULL, '44', '54', '54395', '');
INSERT INTO public.organisme VALUES ('CPAM-55', 'cpam', 'CPAM de la Meuse', NULL, '44', '55', '55029', '');
INSERT INTO public.organisme VALUES ('CPAM-57', 'cpam', 'CPAM de Moselle', NULL, '44', '57', '57463', '');
INSERT INTO public.organisme VALUES ('CPAM-67', 'cpam', 'CPAM du Bas-Rhin', NULL, '44', '67', '67482', '');
INSERT INTO public.organisme VALUES ('CPAM-68', 'cpam', 'CPAM du Haut-Rhin', NULL, '44', '68', '68066', '');
INSERT INTO public.organisme VALUES ('CPAM-88', 'cpam', 'CPAM des Vosges', NULL, '44', '88', '88160', '');
INSERT INTO public.organisme VALUES ('DRSM-44', 'drsm', 'Direction régionale du Service médical Grand Est', 'CNAM', '44', '', '67482', '22 rue de l''Université, 67000 Strasbourg');
INSERT INTO public.organisme VALUES ('ELSM-08', 'echelon', 'Échelon local du service médical des Ardennes', 'DRSM-44', '44', '08', '08105', '');
INSERT INTO public.organisme VALUES ('S08-CHARLEVILLE', 'site', 'Site de Charleville-Mézières', 'ELSM-08', '44', '08', '08105', '');
INSERT INTO public.organisme VALUES ('ELSM-10', 'echelon', 'Échelon local du service médical de l''Aube', 'DRSM-44', '44', '10', '10387', '');
INSERT INTO public.organisme VALUES ('S10-TROYES', 'site', 'Site de Troyes', 'ELSM-10', '44', '10', '10387', '');
INSERT INTO public.organisme VALUES ('ELSM-51', 'echelon', 'Échelon local du service médical de la Marne', 'DRSM-44', '44', '51', '51108', '');
INSERT INTO public.organisme VALUES ('S51-CHALONS', 'site', 'Site de Châlons-en-Champagne', 'ELSM-51', '44', '51', '51108', '');
INSERT INTO public.organisme VALUES ('S51-REIMS', 'site', 'Site de Reims', 'ELSM-51', '44', '51', '51454', '');
INSERT INTO public.organisme VALUES ('ELSM-52', 'echelon', 'Échelon local du service médical de la Haute-Marne', 'DRSM-44', '44', '52', '52121', '');
INSERT INTO public.organisme VALUES ('S52-CHAUMONT', 'site', 'Site de Chaumont', 'ELSM-52', '44', '52', '52121', '');
INSERT INTO public.organisme VALUES ('ELSM-54', 'echelon', 'Échelon local du service médical de Meurthe-et-Moselle', 'DRSM-44', '44', '54', '54395', '');
INSERT INTO public.organisme VALUES ('S54-NANCY', 'site', 'Site de Nancy', 'ELSM-54', '44', '54', '54395', '');
INSERT INTO public.organisme VALUES ('S54-BRIEY', 'site', 'Site de Briey', 'ELSM-54', '44', '54', '54099', '');
INSERT INTO public.organisme VALUES ('ELSM-55', 'echelon', 'Échelon local du service médical de la Meuse', 'DRSM-44', '44', '55', '55029', '');
INSERT INTO public.organisme VALUES ('S55-BAR', 'site', 'Site de Bar-le-Duc', 'ELSM-55', '44', '55', '55029', '');
INSERT INTO public.organisme VALUES ('S55-VERDUN', 'site', 'Site de Verdun', 'ELSM-55', '44', '55', '55545', '');
INSERT INTO public.organisme VALUES ('ELSM-57', 'echelon', 'Échelon local du service médical de la Moselle', 'DRSM-44', '44', '57', '57463', '');
INSERT INTO public.organisme VALUES ('S57-METZ', 'site', 'Site de Metz', 'ELSM-57', '44', '57', '57463', '');
INSERT INTO public.organisme VALUES ('S57-THIONVILLE', 'site', 'Site de Thionville', 'ELSM-57', '44', '57', '57672', '');
INSERT INTO public.organisme VALUES ('S57-SARREGUEMINES', 'site', 'Site de Sarreguemines', 'ELSM-57', '44', '57', '57631', '');
INSERT INTO public.organisme VALUES ('ELSM-67', 'echelon', 'Échelon local du service médical du Bas-Rhin', 'DRSM-44', '44', '67', '67482', '');
INSERT INTO public.organisme VALUES ('S67-STRASBOURG', 'site', 'Site de Strasbourg', 'ELSM-67', '44', '67', '67482', '');
INSERT INTO public.organisme VALUES ('S67-HAGUENAU', 'site', 'Site de Haguenau', 'ELSM-67', '44', '67', '67180', '');
INSERT INTO public.organisme VALUES ('ELSM-68', 'echelon', 'Échelon local du service médical du Haut-Rhin', 'DRSM-44', '44', '68', '68066', '');
INSERT INTO public.organisme VALUES ('S68-COLMAR', 'site', 'Site de Colmar', 'ELSM-68', '44', '68', '68066', '');
INSERT INTO public.organisme VALUES ('S68-MULHOUSE', 'site', 'Site de Mulhouse', 'ELSM-68', '44', '68', '68224', '');
INSERT INTO public.organisme VALUES ('ELSM-88', 'echelon', 'Échelon local du service médical des Vosges', 'DRSM-44', '44', '88', '88160', '');
INSERT INTO public.organisme VALUES ('S88-EPINAL', 'site', 'Site de Épinal', 'ELSM-88', '44', '88', '88160', '');
INSERT INTO public.organisme VALUES ('S88-SAINTDIE', 'site', 'Site de Saint-Dié-des-Vosges', 'ELSM-88', '44', '88', '88413', '');


--
-- Data for Name: referentiel_ligne; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: referentiel_version; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: schema_migration; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.schema_migration VALUES ('0001_foundation.sql', '2026-12-02T07:00:03Z');
INSERT INTO public.schema_migration VALUES ('0100_referentiel.sql', '2026-12-02T07:00:03Z');


--
-- Data for Name: session; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: utilisateur; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.utilisateur VALUES (1, 'infirmier.67', 'infirmier.67', '$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA', 1, '2026-12-02T07:00:03.551172033Z');
INSERT INTO public.utilisateur VALUES (2, 'autre.medecin', 'autre.medecin', '$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA', 1, '2026-12-02T07:00:03.562707576Z');
INSERT INTO public.utilisateur VALUES (3, 'employeur', 'employeur', '$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA', 1, '2026-12-02T07:00:03.572174178Z');
INSERT INTO public.utilisateur VALUES (4, 'admin', 'admin', '$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA', 1, '2026-12-02T07:00:03.576389635Z');
INSERT INTO public.utilisateur VALUES (5, 'praticien.57', 'praticien.57', '$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA', 1, '2026-12-02T07:00:03.582099340Z');
INSERT INTO public.utilisateur VALUES (6, 'regional', 'regional', '$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA', 1, '2026-12-02T07:00:03.587908385Z');
INSERT INTO public.utilisateur VALUES (7, 'agent.67', 'agent.67', '$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA', 1, '2026-12-02T07:00:03.599258746Z');
INSERT INTO public.utilisateur VALUES (8, 'cpam.67', 'cpam.67', '$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA', 1, '2026-12-02T07:00:03.604540788Z');
INSERT INTO public.utilisateur VALUES (9, 'cpam.57', 'cpam.57', '$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA', 1, '2026-12-02T07:00:03.611752197Z');
INSERT INTO public.utilisateur VALUES (10, 'prescripteur.demo', 'prescripteur.demo', '$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA', 1, '2026-12-02T07:00:03.615581511Z');
INSERT INTO public.utilisateur VALUES (11, 'statisticien', 'statisticien', '$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA', 1, '2026-12-02T07:00:03.619461531Z');
INSERT INTO public.utilisateur VALUES (12, 'dpo', 'dpo', '$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA', 1, '2026-12-02T07:00:03.623402467Z');
INSERT INTO public.utilisateur VALUES (13, 'praticien.67', 'praticien.67', '$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA', 1, '2026-12-02T07:00:03.627624026Z');


--
-- Name: api_token_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.api_token_id_seq', 1, false);


--
-- Name: dossier_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.dossier_id_seq', 2, true);


--
-- Name: note_clinique_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.note_clinique_id_seq', 1, true);


--
-- Name: referentiel_version_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.referentiel_version_id_seq', 1, false);


--
-- Name: utilisateur_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.utilisateur_id_seq', 13, true);


--
-- Name: api_token api_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_token
    ADD CONSTRAINT api_token_hash_key UNIQUE (hash);


--
-- Name: api_token api_token_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_token
    ADD CONSTRAINT api_token_pkey PRIMARY KEY (id);


--
-- Name: arret arret_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.arret
    ADD CONSTRAINT arret_pkey PRIMARY KEY (dossier_id);


--
-- Name: assure assure_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assure
    ADD CONSTRAINT assure_pkey PRIMARY KEY (nir);


--
-- Name: audit_head audit_head_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_head
    ADD CONSTRAINT audit_head_pkey PRIMARY KEY (id);


--
-- Name: audit audit_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit
    ADD CONSTRAINT audit_pkey PRIMARY KEY (seq);


--
-- Name: avis avis_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.avis
    ADD CONSTRAINT avis_pkey PRIMARY KEY (dossier_id);


--
-- Name: dossier dossier_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.dossier
    ADD CONSTRAINT dossier_pkey PRIMARY KEY (id);


--
-- Name: habilitation habilitation_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.habilitation
    ADD CONSTRAINT habilitation_pkey PRIMARY KEY (utilisateur_id, role, niveau, code);


--
-- Name: idempotence idempotence_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotence
    ADD CONSTRAINT idempotence_pkey PRIMARY KEY (utilisateur_id, cle);


--
-- Name: note_clinique note_clinique_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.note_clinique
    ADD CONSTRAINT note_clinique_pkey PRIMARY KEY (id);


--
-- Name: organisme organisme_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organisme
    ADD CONSTRAINT organisme_pkey PRIMARY KEY (code);


--
-- Name: referentiel_ligne referentiel_ligne_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.referentiel_ligne
    ADD CONSTRAINT referentiel_ligne_pkey PRIMARY KEY (version_id, ligne);


--
-- Name: referentiel_version referentiel_version_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.referentiel_version
    ADD CONSTRAINT referentiel_version_pkey PRIMARY KEY (id);


--
-- Name: referentiel_version referentiel_version_source_sha256_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.referentiel_version
    ADD CONSTRAINT referentiel_version_source_sha256_key UNIQUE (source, sha256);


--
-- Name: schema_migration schema_migration_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migration
    ADD CONSTRAINT schema_migration_pkey PRIMARY KEY (name);


--
-- Name: session session_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.session
    ADD CONSTRAINT session_pkey PRIMARY KEY (id_hash);


--
-- Name: utilisateur utilisateur_login_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.utilisateur
    ADD CONSTRAINT utilisateur_login_key UNIQUE (login);


--
-- Name: utilisateur utilisateur_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.utilisateur
    ADD CONSTRAINT utilisateur_pkey PRIMARY KEY (id);


--
-- Name: arret_initial; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX arret_initial ON public.arret USING btree (initial_id);


--
-- Name: audit_login; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_login ON public.audit USING btree (login, le);


--
-- Name: audit_objet; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_objet ON public.audit USING btree (objet);


--
-- Name: dossier_nir; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX dossier_nir ON public.dossier USING btree (nir);


--
-- Name: dossier_prescripteur; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX dossier_prescripteur ON public.dossier USING btree (prescripteur);


--
-- Name: dossier_worklist; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX dossier_worklist ON public.dossier USING btree (departement, etat, echeance);


--
-- Name: login_echec_cle; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX login_echec_cle ON public.login_echec USING btree (cle, le);


--
-- Name: note_clinique_dossier; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX note_clinique_dossier ON public.note_clinique USING btree (dossier_id);


--
-- Name: referentiel_ligne_code; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX referentiel_ligne_code ON public.referentiel_ligne USING btree (version_id, code);


--
-- Name: referentiel_version_courante; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX referentiel_version_courante ON public.referentiel_version USING btree (source) WHERE (courante = 1);


--
-- Name: session_utilisateur; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX session_utilisateur ON public.session USING btree (utilisateur_id);


--
-- Name: audit audit_no_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audit_no_update BEFORE DELETE OR UPDATE ON public.audit FOR EACH ROW EXECUTE FUNCTION public.audit_append_only();


--
-- Name: api_token api_token_utilisateur_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_token
    ADD CONSTRAINT api_token_utilisateur_id_fkey FOREIGN KEY (utilisateur_id) REFERENCES public.utilisateur(id) ON DELETE CASCADE;


--
-- Name: arret arret_dossier_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.arret
    ADD CONSTRAINT arret_dossier_id_fkey FOREIGN KEY (dossier_id) REFERENCES public.dossier(id);


--
-- Name: arret arret_initial_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.arret
    ADD CONSTRAINT arret_initial_id_fkey FOREIGN KEY (initial_id) REFERENCES public.dossier(id);


--
-- Name: avis avis_dossier_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.avis
    ADD CONSTRAINT avis_dossier_id_fkey FOREIGN KEY (dossier_id) REFERENCES public.dossier(id);


--
-- Name: dossier dossier_cree_par_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.dossier
    ADD CONSTRAINT dossier_cree_par_fkey FOREIGN KEY (cree_par) REFERENCES public.utilisateur(id);


--
-- Name: dossier dossier_nir_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.dossier
    ADD CONSTRAINT dossier_nir_fkey FOREIGN KEY (nir) REFERENCES public.assure(nir);


--
-- Name: habilitation habilitation_utilisateur_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.habilitation
    ADD CONSTRAINT habilitation_utilisateur_id_fkey FOREIGN KEY (utilisateur_id) REFERENCES public.utilisateur(id) ON DELETE CASCADE;


--
-- Name: note_clinique note_clinique_dossier_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.note_clinique
    ADD CONSTRAINT note_clinique_dossier_id_fkey FOREIGN KEY (dossier_id) REFERENCES public.dossier(id);


--
-- Name: organisme organisme_parent_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organisme
    ADD CONSTRAINT organisme_parent_fkey FOREIGN KEY (parent) REFERENCES public.organisme(code);


--
-- Name: referentiel_ligne referentiel_ligne_version_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.referentiel_ligne
    ADD CONSTRAINT referentiel_ligne_version_id_fkey FOREIGN KEY (version_id) REFERENCES public.referentiel_version(id);


--
-- Name: session session_utilisateur_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.session
    ADD CONSTRAINT session_utilisateur_id_fkey FOREIGN KEY (utilisateur_id) REFERENCES public.utilisateur(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--

\unrestrict RpAHBDhskediVz9jSNiYjrcwZx3wgBCpJoNnPafSE7jgkAf0JSfpv3cu8b6nL8n

