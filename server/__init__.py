"""klasse.server"""
