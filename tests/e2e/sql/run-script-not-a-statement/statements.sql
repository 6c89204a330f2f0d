RUN SCRIPT 'other.sql';
